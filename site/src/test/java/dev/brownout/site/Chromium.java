package dev.brownout.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.brownout.core.json.JsonCodec;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless Chromium, driven over the DevTools protocol: one tab that navigates, evaluates
 * JavaScript, records console errors and uncaught exceptions, and takes screenshots. Where no
 * {@code chromium} is installed the test using it is skipped, except when {@code
 * BROWNOUT_REQUIRE_BROWSER} is set (CI sets it after installing Chromium), where it fails.
 */
final class Chromium implements AutoCloseable {
  private final Path profile;
  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<Map<String, Object>>> waiting =
      new ConcurrentHashMap<>();
  private final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();

  static String require() {
    String found = null;
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
        File candidate = new File(dir, name);
        if (found == null && candidate.canExecute()) {
          found = candidate.getPath();
        }
      }
    }
    if (System.getenv("BROWNOUT_REQUIRE_BROWSER") != null) {
      assertThat(found).as("chromium on the PATH (BROWNOUT_REQUIRE_BROWSER is set)").isNotNull();
    }
    assumeTrue(found != null, "no chromium on the PATH");
    return found;
  }

  Chromium(String executable) throws Exception {
    profile = Files.createTempDirectory("brownout-site-chromium");
    process =
        new ProcessBuilder(
                executable,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--remote-debugging-port=0",
                "--user-data-dir=" + profile,
                "about:blank")
            .redirectErrorStream(true)
            .redirectOutput(profile.resolve("chromium.log").toFile())
            .start();
    Path portFile = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
      assertThat(System.nanoTime()).as("chromium starts").isLessThan(deadline);
      Thread.sleep(50);
    }
    int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
    HttpClient http = HttpClient.newHttpClient();
    String targets =
        http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    @SuppressWarnings("unchecked")
    Map<String, Object>[] pages = JsonCodec.standard().decode(targets, Map[].class);
    String url = null;
    for (Map<String, Object> page : pages) {
      if ("page".equals(page.get("type"))) {
        url = (String) page.get("webSocketDebuggerUrl");
      }
    }
    assertThat(url).as("a tab to drive").isNotNull();
    socket =
        http.newWebSocketBuilder()
            .buildAsync(URI.create(url), new Listener())
            .get(10, TimeUnit.SECONDS);
    call("Page.enable", Map.of());
    call("Runtime.enable", Map.of());
    call("Log.enable", Map.of());
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    @SuppressWarnings("unchecked")
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        Map<String, Object> message = JsonCodec.standard().decode(partial.toString(), Map.class);
        partial.setLength(0);
        if (message.get("id") instanceof Number id) {
          CompletableFuture<Map<String, Object>> reply = waiting.remove(id.intValue());
          if (reply != null) {
            reply.complete(message);
          }
        } else {
          events.add(message);
        }
      }
      webSocket.request(1);
      return null;
    }
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> call(String method, Map<String, Object> params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
    waiting.put(id, reply);
    socket
        .sendText(
            JsonCodec.standard()
                .encodeToString(Map.of("id", id, "method", method, "params", params)),
            true)
        .get(5, TimeUnit.SECONDS);
    Map<String, Object> message = reply.get(30, TimeUnit.SECONDS);
    assertThat(message.get("error")).as(method + " answers").isNull();
    return (Map<String, Object>) message.get("result");
  }

  /** Opens {@code url} and waits for its load event; returns the errors the page reported. */
  List<String> open(URI url) throws Exception {
    events.clear();
    call("Page.navigate", Map.of("url", url.toString()));
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (events.stream().noneMatch(e -> "Page.loadEventFired".equals(e.get("method")))) {
      assertThat(System.nanoTime()).as(url + " loads").isLessThan(deadline);
      Thread.sleep(10);
    }
    eval("new Promise(resolve => setTimeout(resolve, 50))"); // let deferred scripts run
    return errors();
  }

  /** What the page reported as errors since it was opened. */
  @SuppressWarnings("unchecked")
  List<String> errors() {
    List<String> errors = new ArrayList<>();
    for (Map<String, Object> event : events) {
      Map<String, Object> params = (Map<String, Object>) event.getOrDefault("params", Map.of());
      switch (String.valueOf(event.get("method"))) {
        case "Runtime.exceptionThrown" ->
            errors.add("exception: " + params.get("exceptionDetails"));
        case "Runtime.consoleAPICalled" -> {
          if (List.of("error", "assert").contains(params.get("type"))) {
            errors.add("console." + params.get("type") + ": " + params.get("args"));
          }
        }
        case "Log.entryAdded" -> {
          Map<String, Object> entry = (Map<String, Object>) params.get("entry");
          if ("error".equals(entry.get("level"))) {
            errors.add("log: " + entry.get("text") + " " + entry.getOrDefault("url", ""));
          }
        }
        default -> {}
      }
    }
    return errors;
  }

  @SuppressWarnings("unchecked")
  Object eval(String expression) throws Exception {
    Map<String, Object> result =
        call(
            "Runtime.evaluate",
            Map.of("expression", expression, "awaitPromise", true, "returnByValue", true));
    assertThat(result.get("exceptionDetails")).as(expression).isNull();
    Map<String, Object> value = (Map<String, Object>) result.get("result");
    return value == null ? null : value.get("value");
  }

  /** Sets the viewport: a desktop window, or a phone's screen. */
  void viewport(int width, int height, boolean mobile) throws Exception {
    call(
        "Emulation.setDeviceMetricsOverride",
        Map.of(
            "width",
            width,
            "height",
            height,
            "deviceScaleFactor",
            mobile ? 2 : 1,
            "mobile",
            mobile));
  }

  void screenshot(Path file) throws Exception {
    Map<String, Object> shot = call("Page.captureScreenshot", Map.of("format", "png"));
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
  }

  @Override
  public void close() {
    socket.abort();
    try {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      SiteBuilder.delete(profile);
    } catch (java.io.IOException e) {
      // a file Chromium's helpers were still writing: the temporary folder goes with the machine
    }
  }
}
