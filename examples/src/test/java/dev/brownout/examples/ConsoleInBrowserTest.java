package dev.brownout.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.brownout.admin.servlet.AdminServlet;
import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.flags.BreakerStates;
import dev.brownout.flags.FlagContext;
import dev.brownout.flags.Flags;
import dev.brownout.flags.Rollouts;
import dev.brownout.state.InMemoryStateStore;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * The web console as a browser runs it: headless Chromium, driven over the DevTools protocol. One
 * test signs in to the demo and kills a flag; another runs a staged rollout from the console with
 * the admin API mounted under a servlet path ({@code /ops/admin/*}), so the console must find its
 * API from its own address. Skipped where no {@code chromium} is installed ({@code apt-get install
 * chromium}), except in CI, which installs it and sets {@code BROWNOUT_REQUIRE_BROWSER} so that a
 * missing browser fails the run.
 */
class ConsoleInBrowserTest {
  static final String TOKEN = "write-token-0123456789abcdef";

  static String chromium() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
        File candidate = new File(dir, name);
        if (candidate.canExecute()) {
          return candidate.getPath();
        }
      }
    }
    return null;
  }

  static String requireChromium() {
    String chromium = chromium();
    if (System.getenv("BROWNOUT_REQUIRE_BROWSER") != null) {
      // CI installs Chromium and sets this: there, a browser test that would skip fails instead.
      assertThat(chromium).as("chromium on the PATH (BROWNOUT_REQUIRE_BROWSER is set)").isNotNull();
    }
    assumeTrue(chromium != null, "no chromium on the PATH");
    return chromium;
  }

  /** A page in the browser, driven by evaluating JavaScript in it. */
  static final class Page implements WebSocket.Listener, AutoCloseable {
    final WebSocket socket;
    final AtomicInteger ids = new AtomicInteger();
    final Map<Integer, CompletableFuture<Map<String, Object>>> waiting = new ConcurrentHashMap<>();
    final StringBuilder partial = new StringBuilder();

    Page(URI webSocket) throws Exception {
      socket =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(webSocket, this)
              .get(10, TimeUnit.SECONDS);
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        Map<String, Object> message = JsonCodec.standard().decode(partial.toString(), Map.class);
        partial.setLength(0);
        Object id = message.get("id");
        if (id instanceof Number n && waiting.containsKey(n.intValue())) {
          waiting.remove(n.intValue()).complete(message);
        }
      }
      webSocket.request(1);
      return null;
    }

    @SuppressWarnings("unchecked")
    Object eval(String expression) throws Exception {
      int id = ids.incrementAndGet();
      CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
      waiting.put(id, reply);
      socket
          .sendText(
              JsonCodec.standard()
                  .encodeToString(
                      Map.of(
                          "id",
                          id,
                          "method",
                          "Runtime.evaluate",
                          "params",
                          Map.of(
                              "expression",
                              expression,
                              "awaitPromise",
                              true,
                              "returnByValue",
                              true))),
              true)
          .get(5, TimeUnit.SECONDS);
      Map<String, Object> result =
          (Map<String, Object>) reply.get(10, TimeUnit.SECONDS).get("result");
      Map<String, Object> value = (Map<String, Object>) result.get("result");
      return value == null ? null : value.get("value");
    }

    Object await(String condition) throws Exception {
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (true) {
        Object value = eval(condition);
        if (Boolean.TRUE.equals(value) || (value != null && !(value instanceof Boolean))) {
          return value;
        }
        assertThat(System.nanoTime())
            .as(
                "waiting for "
                    + condition
                    + "; status: "
                    + eval("document.getElementById('status').textContent"))
            .isLessThan(deadline);
        Thread.sleep(100);
      }
    }

    /** Clicks the button labelled {@code label} inside what {@code selector} names. */
    void click(String selector, String label) throws Exception {
      Object clicked =
          eval(
              "(() => { const b = Array.from(document.querySelectorAll('"
                  + selector
                  + " button')).find(b => b.textContent === '"
                  + label
                  + "'); if (!b) return false; b.click(); return true; })()");
      assertThat(clicked).as("a '" + label + "' button in " + selector).isEqualTo(true);
    }

    /** Sets an input's value. */
    void fill(String id, String value) throws Exception {
      eval(
          "document.getElementById('"
              + id
              + "').value = "
              + JsonCodec.standard().encodeToString(value)
              + "; true");
    }

    /** Waits for the status line to read {@code expected}, then clears it. */
    void done(String expected) throws Exception {
      await("document.getElementById('status').textContent === '" + expected + "'");
      eval("document.getElementById('status').textContent = ''; true");
    }

    @Override
    public void close() {
      socket.abort();
    }
  }

  /** Chromium showing one page, and the page. */
  static final class Browser implements AutoCloseable {
    final Path profile;
    final Process process;
    final Page page;

    Browser(String chromium, URI url) throws Exception {
      profile = Files.createTempDirectory("brownout-chromium");
      process =
          new ProcessBuilder(
                  chromium,
                  "--headless=new",
                  "--no-sandbox",
                  "--disable-gpu",
                  "--remote-debugging-port=0",
                  "--user-data-dir=" + profile,
                  url.toString())
              .redirectErrorStream(true)
              .redirectOutput(profile.resolve("chromium.log").toFile())
              .start();
      Path portFile = profile.resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
        assertThat(System.nanoTime()).as("chromium starts").isLessThan(deadline);
        Thread.sleep(100);
      }
      int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
      String targets =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      @SuppressWarnings("unchecked")
      Map<String, Object>[] pages = JsonCodec.standard().decode(targets, Map[].class);
      String socket = null;
      for (Map<String, Object> candidate : pages) {
        if ("page".equals(candidate.get("type"))) {
          socket = (String) candidate.get("webSocketDebuggerUrl");
        }
      }
      assertThat(socket).as("a page to drive").isNotNull();
      page = new Page(URI.create(socket));
      page.await("document.readyState === 'complete' && !!document.getElementById('connect')");
    }

    void connect(String token) throws Exception {
      page.eval(
          "document.getElementById('token').value = '"
              + token
              + "'; document.getElementById('reason').value = 'console test';"
              // Where the API asks for a confirmation, the test says yes, and notes the question.
              + " window.confirm = (q) => { window.asked = (window.asked || []).concat([q]); return true; };"
              + " document.getElementById('connect').click(); true");
      page.await("document.getElementById('status').textContent === 'Connected.'");
    }

    @Override
    public void close() {
      page.close();
      try {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void anOperatorKillsAFeatureFromTheConsole() throws Exception {
    String chromium = requireChromium();
    try (DemoApplication demo = DemoApplication.start("--site-port", "0", "--admin-port", "0")) {
      URI console = demo.app().admin().uri().resolve("console");
      try (Browser browser = new Browser(chromium, console)) {
        Page page = browser.page;
        browser.connect(demo.token());
        assertThat(page.eval("document.querySelectorAll('#breakers tr').length"))
            .isEqualTo(demo.app().resilience().circuitBreakerNames().size());
        assertThat(page.eval("document.getElementById('rollouts-section').hidden"))
            .as("the demo's staged rollout is on the console")
            .isEqualTo(false);
        page.click("tr[data-flag=\"instant-book\"]", "Kill");
        page.await("document.querySelector('tr[data-flag=\"instant-book\"] .off') !== null");
        assertThat(page.eval("document.getElementById('status').textContent"))
            .isEqualTo("Kill: done");
      }
      for (int i = 0; i < 50; i++) {
        assertThat(demo.app().flags().isEnabled("instant-book", FlagContext.of("user-" + i)))
            .isFalse();
      }
      String audit =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(demo.app().admin().uri().resolve("api/v1/audit"))
                      .header("Authorization", "Bearer " + demo.token())
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(audit).contains("\"reason\":\"console test\"").contains("flags.patch");
    }
  }

  @Test
  void anOperatorRunsAGameDayFromTheConsole() throws Exception {
    String chromium = requireChromium();
    try (DemoApplication demo = DemoApplication.start("--site-port", "0", "--admin-port", "0")) {
      URI console = demo.app().admin().uri().resolve("console");
      try (Browser browser = new Browser(chromium, console)) {
        Page page = browser.page;
        browser.connect(demo.token());
        assertThat(page.eval("document.getElementById('faults-section').hidden")).isEqualTo(false);
        page.fill("fault-id", "payments-down");
        page.fill("fault-kind", "exception");
        page.fill("fault-calls", "Client.charge");
        page.fill("fault-percentage", "50");
        page.fill("fault-duration", "PT5M");
        page.click("#faults-form", "Start experiment");
        page.done("Start experiment: done");
        page.await("document.querySelector('tr[data-fault=\"payments-down\"]') !== null");
        assertThat(demo.app().faults().running())
            .extracting(experiment -> experiment.id() + " " + experiment.percentage())
            .containsExactly("payments-down 50.0");

        page.click("tr[data-fault=\"payments-down\"]", "Stop");
        page.done("Stop: done");
        page.await("document.querySelector('tr[data-fault=\"payments-down\"]') === null");
        assertThat(demo.app().faults().running()).isEmpty();
      }
      String audit =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(demo.app().admin().uri().resolve("api/v1/audit"))
                      .header("Authorization", "Bearer " + demo.token())
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(audit).contains("faults.start").contains("faults.stop").contains("payments-down");
    }
  }

  @Test
  void anOperatorRunsAStagedRolloutFromTheConsoleMountedUnderAServletPath() throws Exception {
    String chromium = requireChromium();
    InMemoryStateStore store = InMemoryStateStore.create();
    InMemoryAuditSink audit = new InMemoryAuditSink(1000);
    AtomicBoolean paymentsOpen = new AtomicBoolean();
    Server jetty = new Server();
    try (Flags flags = Flags.builder(store).auditSink(audit).build();
        Rollouts rollouts =
            Rollouts.builder(flags)
                .tickInterval(Duration.ofMillis(100))
                .breakers(
                    BreakerStates.of(
                        () -> Set.of("payments"), name -> paymentsOpen.get() ? "OPEN" : "CLOSED"))
                .build()) {
      AdminApi api =
          AdminApi.builder()
              .writeTokens(List.of(TOKEN))
              .auditSink(audit)
              .routes(flags.adminRoutes())
              .build();
      ServerConnector connector = new ServerConnector(jetty);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      jetty.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/ops");
      context.addServlet(new ServletHolder(new AdminServlet(api)), "/admin/*");
      jetty.setHandler(context);
      jetty.start();
      URI console =
          URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/ops/admin/console");

      try (Browser browser = new Browser(chromium, console)) {
        Page page = browser.page;
        browser.connect(TOKEN);
        assertThat(page.eval("document.getElementById('flags-section').hidden")).isEqualTo(false);
        assertThat(page.eval("document.getElementById('rollouts-section').hidden"))
            .isEqualTo(false);
        assertThat(page.eval("document.getElementById('breakers-section').hidden"))
            .as("no breaker routes are mounted here")
            .isEqualTo(true);

        // Create a segment, then a flag that targets alice and serves the segment by a rule.
        page.click("#segments-section", "New segment");
        page.fill("segment-json", "{\"key\":\"staff\",\"included\":[\"carol\"]}");
        page.click("#segment-editor", "Save segment");
        page.done("Save segment: done");
        page.await("document.querySelector('tr[data-segment=\"staff\"]') !== null");

        page.click("#flags-section", "New flag");
        page.fill(
            "editor-json",
            "{\"key\":\"new-search\",\"fallthrough\":{\"rollout\":{\"percentage\":0}}}");
        page.fill("target-variant", "on");
        page.fill("target-units", "alice");
        page.click("#editor", "Add target");
        page.eval("document.getElementById('segment-choice').value = 'staff'; true");
        page.click("#editor", "Add segment rule");
        page.click("#editor", "Preview change");
        page.done("Preview: done");
        assertThat(page.eval("document.getElementById('editor-preview').textContent"))
            .asString()
            .contains("Of 10000 sample units");
        page.click("#editor", "Save");
        page.done("Save: done");
        page.await("document.querySelector('tr[data-flag=\"new-search\"]') !== null");
        assertThat(flags.isEnabled("new-search", FlagContext.of("alice"))).isTrue();
        assertThat(flags.isEnabled("new-search", FlagContext.of("carol"))).isTrue();
        assertThat(flags.isEnabled("new-search", FlagContext.of("bob"))).isFalse();

        // From 0% to 100% the API asks first; the console asks the operator, then confirms.
        page.eval(
            "document.querySelector('tr[data-flag=\"new-search\"] input.percentage').value = 100;"
                + " true");
        page.click("tr[data-flag=\"new-search\"]", "Set %");
        page.done("Set %: done");
        assertThat(page.eval("window.asked.join(' | ')")).asString().contains("0% to 100%");
        assertThat(flags.isEnabled("new-search", FlagContext.of("bob"))).isTrue();
        page.eval(
            "document.querySelector('tr[data-flag=\"new-search\"] input.percentage').value = 0;"
                + " true");
        page.click("tr[data-flag=\"new-search\"]", "Set %");
        page.done("Set %: done");

        // A plan guarded by the payments breaker, steered by hand.
        page.eval("document.getElementById('plan-flag').value = 'new-search'; true");
        page.fill("plan-steps", "10, 50, 100");
        page.fill("plan-breaker", "payments");
        page.click("#rollouts-section", "Start plan");
        page.done("Start plan: done");
        page.await(
            "document.querySelector('tr[data-plan=\"new-search\"] .plan-step').textContent"
                + " === '1 of 3 (10%)'");
        page.click("tr[data-plan=\"new-search\"]", "Advance");
        page.done("Advance: done");
        page.await(
            "document.querySelector('tr[data-plan=\"new-search\"] .plan-step').textContent"
                + " === '2 of 3 (50%)'");
        assertThat(rollouts.status("new-search").percentage()).isEqualTo(50);

        // The live view: the breaker opens, the plan halts, the page shows it by itself.
        paymentsOpen.set(true);
        page.await(
            "document.querySelector('tr[data-plan=\"new-search\"] .plan-state').textContent"
                + " === 'halted'");
        assertThat(page.eval("document.querySelector('tr[data-plan=\"new-search\"]').textContent"))
            .asString()
            .contains("breaker 'payments' is open");
        paymentsOpen.set(false);
        page.click("tr[data-plan=\"new-search\"]", "Resume");
        page.done("Resume: done");
        page.await(
            "document.querySelector('tr[data-plan=\"new-search\"] .plan-state').textContent"
                + " === 'running'");

        // Explain, for a targeted unit and for one the rollout decides.
        page.eval("document.getElementById('explain-flag').value = 'new-search'; true");
        page.fill("explain-unit", "alice");
        page.click("#explain-section", "Explain");
        page.done("Explain: done");
        assertThat(page.eval("document.getElementById('explain-result').textContent"))
            .asString()
            .contains("because TARGETING_MATCH");
        page.fill("explain-unit", "bob");
        page.click("#explain-section", "Explain");
        page.done("Explain: done");
        assertThat(page.eval("document.getElementById('explain-result').textContent"))
            .asString()
            .contains("by key: bucket");

        // The operator wins: a kill from the console pauses the plan, and it stays paused.
        page.click("tr[data-flag=\"new-search\"]", "Kill");
        page.done("Kill: done");
        page.await(
            "document.querySelector('tr[data-plan=\"new-search\"] .plan-state').textContent"
                + " === 'paused'");
        assertThat(rollouts.status("new-search").state()).isEqualTo(Rollouts.State.PAUSED);
        page.click("tr[data-plan=\"new-search\"]", "Abort");
        page.done("Abort: done");
        assertThat(page.eval("window.asked.join(' | ')")).asString().contains("Abort the rollout");

        // Stale flags, the flag's history and the recent changes.
        page.click("#stale-section", "List");
        page.done("Stale flags: done");
        assertThat(page.eval("document.getElementById('stale').textContent"))
            .asString()
            .contains("none");
        page.click("tr[data-flag=\"new-search\"]", "History");
        page.await("document.getElementById('history').hidden === false");
        assertThat(page.eval("document.getElementById('history-rows').textContent"))
            .asString()
            .contains("rollouts.advance")
            .contains("flags.patch")
            .contains("flags.create");
        assertThat(page.eval("document.getElementById('audit').textContent"))
            .asString()
            .contains("rollouts.abort")
            .contains("segments.create");
      } finally {
        jetty.stop();
      }
      assertThat(audit.recent(100))
          .filteredOn(record -> record.actor().equals("write-1"))
          .isNotEmpty()
          .allSatisfy(record -> assertThat(record.reason()).isEqualTo("console test"));
      assertThat(flags.snapshot().definition("new-search").orElseThrow().isEnabled()).isFalse();
    }
  }
}
