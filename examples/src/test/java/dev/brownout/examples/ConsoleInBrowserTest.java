package dev.brownout.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.brownout.core.json.JsonCodec;
import dev.brownout.flags.FlagContext;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The web console as a browser runs it: headless Chromium, driven over the DevTools protocol, signs
 * in with the token and kills a flag. Skipped where no {@code chromium} is installed ({@code
 * apt-get install chromium}), except in CI, which installs it and sets {@code
 * BROWNOUT_REQUIRE_BROWSER} so that a missing browser fails the run.
 */
class ConsoleInBrowserTest {
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
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (true) {
        Object value = eval(condition);
        if (Boolean.TRUE.equals(value) || (value != null && !(value instanceof Boolean))) {
          return value;
        }
        assertThat(System.nanoTime()).as("waiting for " + condition).isLessThan(deadline);
        Thread.sleep(100);
      }
    }

    @Override
    public void close() {
      socket.abort();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void anOperatorKillsAFeatureFromTheConsole() throws Exception {
    String chromium = chromium();
    if (System.getenv("BROWNOUT_REQUIRE_BROWSER") != null) {
      // CI installs Chromium and sets this: there, a browser test that would skip fails instead.
      assertThat(chromium).as("chromium on the PATH (BROWNOUT_REQUIRE_BROWSER is set)").isNotNull();
    }
    assumeTrue(chromium != null, "no chromium on the PATH");
    Path profile = Files.createTempDirectory("brownout-chromium");
    try (DemoApplication demo = DemoApplication.start("--site-port", "0", "--admin-port", "0")) {
      URI console = demo.app().admin().uri().resolve("console");
      Process browser =
          new ProcessBuilder(
                  chromium,
                  "--headless=new",
                  "--no-sandbox",
                  "--disable-gpu",
                  "--remote-debugging-port=0",
                  "--user-data-dir=" + profile,
                  console.toString())
              .redirectErrorStream(true)
              .redirectOutput(profile.resolve("chromium.log").toFile())
              .start();
      try {
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
        Map<String, Object>[] pages = JsonCodec.standard().decode(targets, Map[].class);
        String socket = null;
        for (Map<String, Object> page : pages) {
          if ("page".equals(page.get("type"))) {
            socket = (String) page.get("webSocketDebuggerUrl");
          }
        }
        assertThat(socket).as("a page to drive").isNotNull();
        try (Page page = new Page(URI.create(socket))) {
          page.await("document.readyState === 'complete' && !!document.getElementById('connect')");
          page.eval(
              "document.getElementById('token').value = '"
                  + demo.token()
                  + "'; document.getElementById('reason').value = 'console test';"
                  + " document.getElementById('connect').click(); true");
          page.await("document.getElementById('status').textContent === 'Connected.'");
          assertThat(page.eval("document.querySelectorAll('#breakers tr').length")).isEqualTo(1);
          page.eval(
              "Array.from(document.querySelectorAll('tr[data-flag=\"instant-book\"] button'))"
                  + ".find(b => b.textContent === 'Kill').click(); true");
          page.await("document.querySelector('tr[data-flag=\"instant-book\"] .off') !== null");
          assertThat(page.eval("document.getElementById('status').textContent"))
              .isEqualTo("Kill: done");
        }
      } finally {
        browser.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
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
}
