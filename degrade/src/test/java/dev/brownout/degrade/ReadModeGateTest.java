package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.guard.GuardConfigurationException;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.state.InMemoryStateStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gate: service methods through the guard, HTTP requests through the filter in real Jetty. */
class ReadModeGateTest {
  final InMemoryStateStore store = InMemoryStateStore.create();
  final ReadMode readMode = ReadMode.builder(store).build();
  final AtomicInteger bookings = new AtomicInteger();
  Server server;

  @AfterEach
  void close() throws Exception {
    readMode.close();
    store.close();
    if (server != null) {
      server.stop();
    }
  }

  void maintenance(Instant eta) {
    readMode.enter(
        new ReadOnlyReason(
            "db-move",
            ReadOnlyReason.Kind.MAINTENANCE,
            "ops",
            Instant.now(),
            "Bookings are paused while we move databases.",
            eta,
            null));
  }

  @WriteOperation
  public interface Bookings {
    String book(String listing);

    @ReadOnlySafe
    List<String> list();
  }

  public interface Conflicted {
    @WriteOperation
    @ReadOnlySafe
    void both();
  }

  @Test
  void writesAreRefusedWithAReasonWhileReadsGoOn() {
    Bookings bookingService =
        GuardedProxies.builder()
            .add(readMode.guards())
            .build()
            .proxy(
                Bookings.class,
                new Bookings() {
                  @Override
                  public String book(String listing) {
                    return "booked " + listing;
                  }

                  @Override
                  public List<String> list() {
                    return List.of("loft");
                  }
                });
    assertThat(bookingService.book("loft")).isEqualTo("booked loft");

    Instant eta = Instant.now().plusSeconds(900);
    maintenance(eta);

    assertThat(bookingService.list()).containsExactly("loft");
    assertThatThrownBy(() -> bookingService.book("loft"))
        .isInstanceOfSatisfying(
            ReadOnlyModeException.class,
            e -> {
              assertThat(e.retryAfter()).hasValue(eta);
              assertThat(e.reasons()).extracting(ReadOnlyReason::id).containsExactly("db-move");
            })
        .hasMessageContaining("Bookings.book(String)")
        .hasMessageContaining("move databases");
  }

  @Test
  void aMethodMarkedBothWaysFailsWhenTheProxyIsBuilt() {
    assertThatThrownBy(
            () ->
                GuardedProxies.builder()
                    .add(readMode.guards())
                    .build()
                    .proxy(Conflicted.class, () -> {}))
        .isInstanceOf(GuardConfigurationException.class)
        .hasMessageContaining("both @WriteOperation and @ReadOnlySafe");
  }

  URI start() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addFilter(
        new FilterHolder(new ReadModeFilter(readMode, List.of("/sign-in"), Duration.ofSeconds(30))),
        "/*",
        EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(
        new ServletHolder(
            new HttpServlet() {
              @Override
              protected void service(HttpServletRequest request, HttpServletResponse response)
                  throws IOException {
                if (!request.getMethod().equals("GET")) {
                  bookings.incrementAndGet();
                }
                response.setContentType("text/plain");
                response.getWriter().write("ok " + request.getMethod());
              }
            }),
        "/*");
    server.setHandler(context);
    server.start();
    return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/");
  }

  HttpResponse<String> send(URI base, String method, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(base.resolve(path))
                .method(method, HttpRequest.BodyPublishers.ofString("{}"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theFilterServesReadsAndRefusesWritesPolitely() throws Exception {
    URI base = start();
    HttpResponse<String> before = send(base, "POST", "bookings");
    assertThat(before.statusCode()).isEqualTo(200);
    assertThat(before.headers().firstValue("Brownout-Mode")).hasValue("read-write");

    maintenance(Instant.now().plusSeconds(600));

    HttpResponse<String> read = send(base, "GET", "listings");
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.headers().firstValue("Brownout-Mode")).hasValue("browse-only");

    HttpResponse<String> write = send(base, "POST", "bookings");
    assertThat(write.statusCode()).isEqualTo(503);
    assertThat(write.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    assertThat(Long.parseLong(write.headers().firstValue("Retry-After").orElseThrow()))
        .isBetween(590L, 600L);
    @SuppressWarnings("unchecked")
    Map<String, Object> problem = JsonCodec.standard().decode(write.body(), Map.class);
    assertThat(problem)
        .containsEntry("type", ReadModeFilter.PROBLEM_TYPE)
        .containsEntry("status", 503)
        .containsKey("eta");
    assertThat((String) problem.get("detail")).contains("move databases");
    assertThat(bookings).as("the refused write never reached the application").hasValue(1);

    assertThat(send(base, "POST", "sign-in").statusCode()).as("allow-listed").isEqualTo(200);

    readMode.leave("db-move");
    assertThat(send(base, "POST", "bookings").statusCode()).isEqualTo(200);
  }

  @Test
  void withoutAnEtaRetryAfterIsTheDefault() throws Exception {
    URI base = start();
    readMode.enter(
        new ReadOnlyReason(
            "manual",
            ReadOnlyReason.Kind.MANUAL,
            "ops",
            Instant.now(),
            "Paused by hand.",
            null,
            null));

    HttpResponse<String> write = send(base, "DELETE", "bookings/1");

    assertThat(write.statusCode()).isEqualTo(503);
    assertThat(write.headers().firstValue("Retry-After")).hasValue("30");
  }
}
