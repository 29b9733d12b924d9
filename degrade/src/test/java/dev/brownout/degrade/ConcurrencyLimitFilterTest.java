package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.state.InMemoryStateStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The inbound limiter in a real servlet container: priorities by route, polite 503s. */
class ConcurrencyLimitFilterTest {
  final InMemoryStateStore store = InMemoryStateStore.create();
  final CountDownLatch release = new CountDownLatch(1);
  final List<AutoCloseable> closing = new ArrayList<>();
  Server server;

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    if (server != null) {
      server.stop();
    }
    for (AutoCloseable c : closing) {
      c.close();
    }
    store.close();
  }

  static HttpServletRequest request(String method, String servletPath, String pathInfo) {
    return (HttpServletRequest)
        Proxy.newProxyInstance(
            HttpServletRequest.class.getClassLoader(),
            new Class<?>[] {HttpServletRequest.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "getMethod" -> method;
                  case "getServletPath" -> servletPath;
                  case "getPathInfo" -> pathInfo;
                  case "getHeader" -> "priority".equals(args[0]) ? "critical" : null;
                  default -> null;
                });
  }

  @Test
  void aRequestsPriorityIsTheLongestMatchingRouteBySegmentElseTheDefault() {
    ConcurrencyLimitFilter filter =
        ConcurrencyLimitFilter.builder(ConcurrencyLimiter.builder("inbound").build())
            .route("/checkout", Priority.CRITICAL)
            .route("/listings", Priority.NORMAL)
            .route("/listings/recommended", Priority.LOW)
            .defaultPriority(Priority.HIGH)
            .build();
    assertThat(filter.priority(request("GET", "/checkout", null))).isEqualTo(Priority.CRITICAL);
    assertThat(filter.priority(request("POST", "", "/checkout/pay"))).isEqualTo(Priority.CRITICAL);
    assertThat(filter.priority(request("GET", "/checkoutx", null))).isEqualTo(Priority.HIGH);
    assertThat(filter.priority(request("GET", "/listings", "/recommended/7")))
        .isEqualTo(Priority.LOW);
    assertThat(filter.priority(request("GET", "/listings//7", null))).isEqualTo(Priority.NORMAL);
    assertThat(filter.priority(request("GET", "/", null))).isEqualTo(Priority.HIGH);

    ConcurrencyLimitFilter resolved =
        ConcurrencyLimitFilter.builder(ConcurrencyLimiter.builder("inbound").build())
            .route("/listings", Priority.LOW)
            .resolver(r -> Optional.ofNullable(r.getHeader("priority")).map(p -> Priority.CRITICAL))
            .build();
    assertThat(resolved.priority(request("GET", "/listings", null))).isEqualTo(Priority.CRITICAL);
  }

  @Test
  void aRouteThatIsNotPlainSegmentsIsRefused() {
    ConcurrencyLimitFilter.Builder builder =
        ConcurrencyLimitFilter.builder(ConcurrencyLimiter.builder("inbound").build());
    assertThatThrownBy(() -> builder.route("checkout", Priority.LOW))
        .hasMessageContaining("must start with '/'");
    assertThatThrownBy(() -> builder.route("/a/../checkout", Priority.LOW))
        .hasMessageContaining("plain segments");
    assertThatThrownBy(() -> builder.route("/a;jsessionid=1", Priority.LOW))
        .hasMessageContaining("plain segments");
  }

  URI start(ConcurrencyLimitFilter limit, ReadModeFilter readModeFilter) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    if (readModeFilter != null) {
      context.addFilter(new FilterHolder(readModeFilter), "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    context.addFilter(new FilterHolder(limit), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(
        new ServletHolder(
            new HttpServlet() {
              @Override
              protected void service(HttpServletRequest request, HttpServletResponse response)
                  throws IOException {
                if (request.getRequestURI().contains("slow")) {
                  try {
                    release.await(30, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }
                response.setContentType("text/plain");
                response.getWriter().write("ok");
              }
            }),
        "/*");
    server.setHandler(context);
    server.start();
    return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
  }

  final HttpClient client = HttpClient.newHttpClient();

  CompletableFuture<HttpResponse<String>> send(URI base, String method, String path) {
    return client.sendAsync(
        HttpRequest.newBuilder(base.resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void awaitInFlight(ConcurrencyLimiter limiter, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (limiter.inFlight() < count && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(limiter.inFlight()).isEqualTo(count);
  }

  @Test
  void beyondItsShareARequestGetsA503ProblemWithRetryAfterWhileHigherPrioritiesGetIn()
      throws Exception {
    // A fixed limit of 4: extras may use 2, search 3, checkout all 4.
    ConcurrencyLimiter limiter =
        ConcurrencyLimiter.builder("inbound").initialLimit(4).minLimit(4).maxLimit(4).build();
    ConcurrencyLimitFilter filter =
        ConcurrencyLimitFilter.builder(limiter)
            .route("/extras", Priority.LOW)
            .route("/checkout", Priority.CRITICAL)
            .retryAfter(Duration.ofSeconds(2))
            .build();
    URI base = start(filter, null);
    CompletableFuture<HttpResponse<String>> slow1 = send(base, "GET", "extras/slow");
    CompletableFuture<HttpResponse<String>> slow2 = send(base, "GET", "extras/slow");
    awaitInFlight(limiter, 2);

    HttpResponse<String> shed = send(base, "GET", "extras/fast").get(20, TimeUnit.SECONDS);
    assertThat(shed.statusCode()).isEqualTo(503);
    assertThat(shed.headers().firstValue("Retry-After")).hasValue("2");
    assertThat(shed.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(shed.body())
        .contains(ConcurrencyLimitFilter.PROBLEM_TYPE, "\"priority\":\"low\"", "/extras/fast");
    assertThat(send(base, "GET", "search").get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(send(base, "POST", "checkout").get(20, TimeUnit.SECONDS).statusCode())
        .isEqualTo(200);
    assertThat(limiter.shed(Priority.LOW)).isEqualTo(1);

    release.countDown();
    assertThat(slow1.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(slow2.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    awaitInFlight(limiter, 0);
  }

  @Test
  void beforeReadsAreShedTheServerGoesBrowseOnlySoWritesGiveWayToReads() throws Exception {
    ReadMode readMode = ReadMode.builder(store).serverId("server-a").build();
    closing.add(readMode);
    ConcurrencyLimiter limiter =
        ConcurrencyLimiter.builder("inbound").initialLimit(2).minLimit(2).maxLimit(2).build();
    ConcurrencyLimitFilter filter =
        ConcurrencyLimitFilter.builder(limiter)
            .route("/extras", Priority.LOW)
            .browseOnlyBeforeShedding(readMode, Priority.NORMAL)
            .build();
    URI base = start(filter, new ReadModeFilter(readMode, List.of(), Duration.ofSeconds(30)));
    // Extras shed: not yet a reason to stop writes.
    // A limit of 2: extras may use 1 of it, reads 2.
    CompletableFuture<HttpResponse<String>> slow = send(base, "GET", "listings/slow");
    CompletableFuture<HttpResponse<String>> slow2 = send(base, "GET", "listings/slow");
    awaitInFlight(limiter, 2);
    assertThat(send(base, "GET", "extras/a").get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
    assertThat(readMode.isBrowseOnly()).isFalse();
    // A read of normal priority shed: the server goes browse-only, and writes are refused politely.
    assertThat(send(base, "GET", "listings/b").get(20, TimeUnit.SECONDS).statusCode())
        .isEqualTo(503);
    assertThat(readMode.isBrowseOnly()).isTrue();
    assertThat(readMode.reasons())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.id()).isEqualTo(ConcurrencyLimitFilter.BROWSE_ONLY_REASON);
              assertThat(r.kind()).isEqualTo(ReadOnlyReason.Kind.AUTOMATIC);
              assertThat(r.server()).isEqualTo("server-a");
            });
    release.countDown();
    assertThat(slow.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(slow2.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    HttpResponse<String> write = send(base, "POST", "bookings").get(20, TimeUnit.SECONDS);
    assertThat(write.statusCode()).isEqualTo(503);
    assertThat(write.body()).contains("problems/browse-only", "auto:overload", "very busy");
    assertThat(send(base, "GET", "listings/c").get(20, TimeUnit.SECONDS).statusCode())
        .isEqualTo(200);
  }
}
