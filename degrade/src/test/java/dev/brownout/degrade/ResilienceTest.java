package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.brownout.core.guard.GuardConfigurationException;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.InMemoryStateStore;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * Breaker, retry, timeout and fallback around a real local HTTP "payment API" that fails on
 * command.
 */
class ResilienceTest {
  enum Behaviour {
    OK,
    RESET,
    FAIL,
    SLOW,
    FAIL_TWICE
  }

  HttpServer server;
  final AtomicReference<Behaviour> behaviour = new AtomicReference<>(Behaviour.OK);
  final AtomicInteger hits = new AtomicInteger();
  final AtomicInteger failuresLeft = new AtomicInteger();
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  Resilience resilience;
  URI base;

  public interface PaymentApi {
    @Fallback(
        value = QueuedPayments.class,
        on = {IOException.class, CallNotPermittedException.class, CallTimeoutException.class})
    @Retry("payments")
    @CircuitBreaker("payments")
    @Timeout(millis = 300)
    String charge(String booking) throws IOException;

    @Retry("payments")
    @CircuitBreaker("payments")
    String refund(String booking) throws IOException;
  }

  /** What a booking site does when payments are down: accept the booking, charge later. */
  public static final class QueuedPayments implements PaymentApi {
    @Override
    public String charge(String booking) {
      return "queued " + booking;
    }

    @Override
    public String refund(String booking) {
      return "queued refund " + booking;
    }
  }

  final class HttpPaymentApi implements PaymentApi {
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    volatile String mdcSeen;

    @Override
    public String charge(String booking) throws IOException {
      mdcSeen = MDC.get("request");
      return post("charge/" + booking);
    }

    @Override
    public String refund(String booking) throws IOException {
      return post("refund/" + booking);
    }

    private String post(String path) throws IOException {
      try {
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(base.resolve(path))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 500) {
          throw new IOException("payment API answered " + response.statusCode());
        }
        return response.body();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          hits.incrementAndGet();
          Behaviour now = behaviour.get();
          if (now == Behaviour.RESET) {
            // Drop the connection without answering, as a crashing API or a proxy would.
            exchange.close();
            return;
          }
          int status = 200;
          if (now == Behaviour.FAIL
              || (now == Behaviour.FAIL_TWICE && failuresLeft.getAndDecrement() > 0)) {
            status = 503;
          }
          if (now == Behaviour.SLOW) {
            try {
              Thread.sleep(2000);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          byte[] body =
              ("paid " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    resilience =
        Resilience.builder(InMemoryStateStore.create())
            .circuitBreaker(
                "payments",
                CircuitBreakerConfig.custom()
                    .slidingWindowSize(10)
                    .minimumNumberOfCalls(5)
                    .failureRateThreshold(50)
                    .waitDurationInOpenState(Duration.ofMillis(300))
                    .permittedNumberOfCallsInHalfOpenState(2)
                    .build())
            .retry(
                "payments",
                RetryConfig.custom()
                    .maxAttempts(3)
                    .waitDuration(Duration.ofMillis(10))
                    .ignoreExceptions(CallNotPermittedException.class)
                    .build())
            .metrics(BrownoutMetrics.of(meters))
            .build();
  }

  @AfterEach
  void stop() {
    resilience.close();
    server.stop(0);
  }

  PaymentApi payments(PaymentApi target) {
    return GuardedProxies.builder()
        .add(resilience.guards())
        .build()
        .proxy(PaymentApi.class, target);
  }

  @Test
  void aFlakyCallIsRetriedAndSucceeds() throws IOException {
    PaymentApi payments = payments(new HttpPaymentApi());
    behaviour.set(Behaviour.FAIL_TWICE);
    failuresLeft.set(2);

    assertThat(payments.refund("b1")).isEqualTo("paid /refund/b1");
    assertThat(hits).hasValue(3);
  }

  @Test
  void theBreakerOpensAtTheFailureRateAndTheFallbackAnswersWithoutCallingTheApi()
      throws IOException {
    PaymentApi payments = payments(new HttpPaymentApi());
    behaviour.set(Behaviour.FAIL);

    for (int i = 0; i < 10; i++) {
      assertThat(payments.charge("b" + i)).isEqualTo("queued b" + i);
    }

    assertThat(resilience.circuitBreaker("payments").getState())
        .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);
    int hitsWhenOpen = hits.get();
    assertThat(payments.charge("later")).isEqualTo("queued later");
    assertThat(hits).as("an open breaker does not call the API").hasValue(hitsWhenOpen);
    assertThatThrownBy(() -> payments.refund("r1"))
        .as("no fallback: the typed exception")
        .isInstanceOf(CallNotPermittedException.class);
    assertThat(meters.find("resilience4j.circuitbreaker.state").gauges()).isNotEmpty();
  }

  @Test
  void itRecoversThroughHalfOpen() throws Exception {
    PaymentApi payments = payments(new HttpPaymentApi());
    behaviour.set(Behaviour.FAIL);
    for (int i = 0; i < 10; i++) {
      payments.charge("b" + i);
    }
    assertThat(resilience.circuitBreaker("payments").getState())
        .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);

    behaviour.set(Behaviour.OK);
    Thread.sleep(400);

    assertThat(payments.charge("again")).isEqualTo("paid /charge/again");
    assertThat(payments.charge("again2")).isEqualTo("paid /charge/again2");
    assertThat(resilience.circuitBreaker("payments").getState())
        .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED);
  }

  @Test
  void aSlowApiIsCutOffByTheTimeoutAndTheCallerKeepsItsMdc() throws IOException {
    HttpPaymentApi api = new HttpPaymentApi();
    PaymentApi payments = payments(api);
    behaviour.set(Behaviour.SLOW);
    MDC.put("request", "req-42");
    try {
      long start = System.nanoTime();
      String answer = payments.charge("slow");
      long millis = (System.nanoTime() - start) / 1_000_000;

      assertThat(answer).isEqualTo("queued slow");
      assertThat(millis).as("three 300 ms attempts, not three 2 s waits").isLessThan(1900);
      assertThat(api.mdcSeen).as("MDC carried to the timeout thread").isEqualTo("req-42");
    } finally {
      MDC.clear();
    }
  }

  public interface Misconfigured {
    @CircuitBreaker("paymnets")
    @Fallback(String.class)
    String charge(String booking);

    @Timeout(millis = 0)
    String refund(String booking);
  }

  @Test
  void misconfigurationFailsWhenTheProxyIsBuiltNamingEveryProblem() {
    assertThatThrownBy(
            () ->
                GuardedProxies.builder()
                    .add(resilience.guards())
                    .build()
                    .proxy(
                        Misconfigured.class,
                        new Misconfigured() {
                          @Override
                          public String charge(String booking) {
                            return "";
                          }

                          @Override
                          public String refund(String booking) {
                            return "";
                          }
                        }))
        .isInstanceOfSatisfying(
            GuardConfigurationException.class, e -> assertThat(e.problems()).hasSize(3))
        .hasMessageContaining("no circuit breaker named 'paymnets'; declared: [payments]")
        .hasMessageContaining("does not implement")
        .hasMessageContaining("@Timeout must be at least 1 ms");
  }

  @Test
  void resetConnectionsOpenTheBreakerAndTheFallbackAnswers() throws IOException {
    PaymentApi payments = payments(new HttpPaymentApi());
    behaviour.set(Behaviour.RESET);
    for (int i = 0; i < 10; i++) {
      assertThat(payments.charge("b" + i)).isEqualTo("queued b" + i);
    }
    assertThat(resilience.circuitBreaker("payments").getState())
        .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);
  }

  public interface Search {
    @Bulkhead("search")
    String slow(long millis) throws InterruptedException;

    @RateLimit("quota")
    String quoted();
  }

  @Test
  void aBulkheadBoundsCallsAtOnceAndARateLimitHoldsThePace() throws Exception {
    try (Resilience limited =
        Resilience.builder(InMemoryStateStore.create())
            .bulkhead(
                "search",
                io.github.resilience4j.bulkhead.BulkheadConfig.custom()
                    .maxConcurrentCalls(2)
                    .maxWaitDuration(Duration.ZERO)
                    .build())
            .rateLimiter(
                "quota",
                io.github.resilience4j.ratelimiter.RateLimiterConfig.custom()
                    .limitForPeriod(3)
                    .limitRefreshPeriod(Duration.ofMinutes(1))
                    .timeoutDuration(Duration.ZERO)
                    .build())
            .metrics(BrownoutMetrics.of(meters))
            .build()) {
      java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(2);
      Search search =
          GuardedProxies.builder()
              .add(limited.guards())
              .build()
              .proxy(
                  Search.class,
                  new Search() {
                    @Override
                    public String slow(long millis) throws InterruptedException {
                      inside.countDown();
                      Thread.sleep(millis);
                      return "done";
                    }

                    @Override
                    public String quoted() {
                      return "ok";
                    }
                  });
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(2);
      try {
        var first = pool.submit(() -> search.slow(500));
        var second = pool.submit(() -> search.slow(500));
        assertThat(inside.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> search.slow(0))
            .isInstanceOf(io.github.resilience4j.bulkhead.BulkheadFullException.class);
        assertThat(first.get()).isEqualTo("done");
        assertThat(second.get()).isEqualTo("done");
        assertThat(search.slow(0)).as("slots are given back").isEqualTo("done");
      } finally {
        pool.shutdown();
      }

      for (int i = 0; i < 3; i++) {
        assertThat(search.quoted()).isEqualTo("ok");
      }
      assertThatThrownBy(search::quoted)
          .isInstanceOf(io.github.resilience4j.ratelimiter.RequestNotPermitted.class);
      assertThat(meters.find("resilience4j.bulkhead.available.concurrent.calls").gauges())
          .isNotEmpty();
    }
  }
}
