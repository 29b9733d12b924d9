package dev.brownout.spring.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.degrade.ConcurrencyLimitFilter;
import dev.brownout.degrade.ConcurrencyLimiter;
import dev.brownout.degrade.InjectedFaultException;
import dev.brownout.degrade.OverloadedException;
import dev.brownout.degrade.Priority;
import dev.brownout.degrade.Resilience;
import dev.brownout.spring.BrownoutWebAutoConfiguration;
import dev.brownout.state.testservers.RedisTestServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Concurrency limits and fault injection as a Boot application gets them from properties, on a
 * random port, with a real Redis as the store. Both limiters are fixed at two calls (minimum,
 * initial and maximum limit 2), and the test holds calls and requests on the application's {@link
 * OverloadApplication.Gate}, so "beyond the limit" is decided by the test rather than by timing.
 */
@SpringBootTest(
    classes = OverloadApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      // Not the suite's application.yml: everything this application sets is here.
      "spring.config.name=overload-it",
      "brownout.admin.write-tokens=" + OverloadIT.TOKEN,
      "brownout.spring.resilience.concurrency-limits=vendor",
      "brownout.degrade.concurrency.min-limit=2",
      "brownout.degrade.concurrency.initial-limit=2",
      "brownout.degrade.concurrency.max-limit=2",
      "brownout.spring.concurrency-limit.enabled=true",
      "brownout.spring.concurrency-limit.routes=/extras=low, /checkout=critical",
      "brownout.degrade.faults.enabled=true",
      "brownout.degrade.faults.refresh-interval=100ms"
    })
class OverloadIT {
  static final String TOKEN = "overload-token-0123456789abcdef";
  static final RedisTestServer redis = new RedisTestServer();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @DynamicPropertySource
  static void store(DynamicPropertyRegistry registry) {
    registry.add("brownout.store", redis::uri);
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Autowired Environment environment;
  @Autowired Resilience resilience;
  @Autowired MeterRegistry meters;
  @Autowired OverloadApplication.Vendor vendor;
  @Autowired OverloadApplication.Gate gate;

  private final ExecutorService callers = Executors.newFixedThreadPool(4);

  @AfterEach
  void release() throws InterruptedException {
    gate.open();
    callers.shutdown();
    assertThat(callers.awaitTermination(15, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void theRedisStoresChangeFanOutIsMeteredOnTheApplicationsRegistry() {
    assertThat(meters.find("brownout.buffer.fill").tag("buffer", "brownout-redis-watch").gauge())
        .as("the Redis store's watch buffer, on the registry the starter was given")
        .isNotNull();
    assertThat(meters.find("brownout.buffer.dropped").tag("buffer", "brownout-redis-watch").meter())
        .isNotNull();
  }

  @Test
  void callsBeyondABeanMethodsLimitGoToItsFallbackOrAreRefusedAtOnce() throws Exception {
    ConcurrencyLimiter limiter = resilience.concurrencyLimiter("vendor");
    assertThat(limiter.limit()).as("brownout.degrade.concurrency.*-limit=2").isEqualTo(2);
    gate.close();
    List<Future<String>> held = new ArrayList<>();
    for (String item : List.of("a", "b")) {
      held.add(callers.submit(() -> vendor.quote(item)));
    }
    await(() -> limiter.inFlight() == 2 && gate.waiting() == 2, "two quotes hold the limit");
    long shedNormal = limiter.shed(Priority.NORMAL);
    long shedCritical = limiter.shed(Priority.CRITICAL);

    assertThat(vendor.quote("c")).as("the fallback, at once").isEqualTo("quote c later");
    assertThatThrownBy(() -> vendor.order("d"))
        .as("no fallback: the typed exception")
        .isInstanceOfSatisfying(
            OverloadedException.class,
            e -> {
              assertThat(e.limiter()).isEqualTo("vendor");
              assertThat(e.priority()).isEqualTo(Priority.CRITICAL);
            });

    HttpResponse<String> refused = send("GET", "/order/e", null);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(refused.headers().firstValue("Retry-After"))
        .as("brownout.degrade.concurrency.retry-after")
        .hasValue("1");
    assertThat(refused.body())
        .contains(ConcurrencyLimitFilter.PROBLEM_TYPE, "\"limiter\":\"vendor\"", "critical");
    assertThat(limiter.shed(Priority.NORMAL) - shedNormal).isEqualTo(1);
    assertThat(limiter.shed(Priority.CRITICAL) - shedCritical).isEqualTo(2);
    assertThat(
            meters
                .get("brownout.degrade.concurrency.shed")
                .tags("limiter", "vendor", "priority", "critical")
                .functionCounter()
                .count())
        .isGreaterThanOrEqualTo(2);

    gate.open();
    for (Future<String> quote : held) {
      assertThat(quote.get(10, TimeUnit.SECONDS)).startsWith("quote ").doesNotEndWith("later");
    }
    assertThat(vendor.quote("f")).as("room again").isEqualTo("quote f");
    assertThat(vendor.order("g")).isEqualTo("order g");

    HttpResponse<String> limits = send("GET", "/brownout/api/v1/concurrency-limits", null);
    assertThat(limits.statusCode()).as(limits.body()).isEqualTo(200);
    assertThat(limits.body())
        .contains("\"name\":\"vendor\"")
        .contains("\"name\":\"" + BrownoutWebAutoConfiguration.INBOUND_LIMITER + "\"");
  }

  @Test
  void requestsBeyondTheInboundLimitGet503WithRetryAfterLowestPriorityFirst() throws Exception {
    ConcurrencyLimiter inbound =
        resilience.concurrencyLimiter(BrownoutWebAutoConfiguration.INBOUND_LIMITER);
    assertThat(inbound.threshold(Priority.LOW)).isEqualTo(1);
    assertThat(inbound.threshold(Priority.NORMAL)).isEqualTo(2);
    gate.close();
    CompletableFuture<HttpResponse<String>> first = sendAsync("/held");
    await(() -> inbound.inFlight() == 1 && gate.waiting() == 1, "one request holds a permit");

    HttpResponse<String> extra = send("GET", "/extras/recommendations", null);
    assertThat(extra.statusCode()).as("/extras=low sheds first: " + extra.body()).isEqualTo(503);
    assertThat(extra.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(extra.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(extra.body())
        .contains(ConcurrencyLimitFilter.PROBLEM_TYPE, "\"priority\":\"low\"")
        .doesNotContain("extra recommendations");
    HttpResponse<String> ping = send("GET", "/ping", null);
    assertThat(ping.statusCode()).as("normal priority still has room").isEqualTo(200);

    CompletableFuture<HttpResponse<String>> second = sendAsync("/held");
    await(() -> inbound.inFlight() == 2 && gate.waiting() == 2, "two requests hold the limit");
    HttpResponse<String> full = send("GET", "/ping", null);
    assertThat(full.statusCode()).as(full.body()).isEqualTo(503);
    assertThat(full.body())
        .contains(ConcurrencyLimitFilter.PROBLEM_TYPE, "\"priority\":\"normal\"");

    HttpResponse<String> operator =
        send("GET", "/brownout/api/v1/concurrency-limits/inbound", null);
    assertThat(operator.statusCode())
        .as("the admin path is never limited: " + operator.body())
        .isEqualTo(200);
    assertThat(operator.body()).contains("\"inFlight\":2");

    gate.open();
    assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("served");
    assertThat(second.get(10, TimeUnit.SECONDS).body()).isEqualTo("served");
    await(() -> inbound.inFlight() == 0, "the held requests gave their permits back");
    assertThat(send("GET", "/extras/recommendations", null).body())
        .isEqualTo("extra recommendations");
  }

  @Test
  void aFaultExperimentStartedThroughTheAdminApiFailsTheVendorsCallsUntilStopped() {
    HttpResponse<String> started =
        send(
            "PUT",
            "/brownout/api/v1/faults/vendor-down",
            "{\"fault\":\"exception\",\"calls\":[\"Vendor.*\"],\"duration\":\"PT10M\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    try {
      assertThatThrownBy(() -> vendor.order("x"))
          .isInstanceOfSatisfying(
              InjectedFaultException.class,
              e -> assertThat(e.experiment()).isEqualTo("vendor-down"));
      assertThat(vendor.quote("y")).as("the fallback takes the fault").isEqualTo("quote y later");
      HttpResponse<String> listed = send("GET", "/brownout/api/v1/faults", null);
      assertThat(listed.body())
          .contains("\"enabled\":true", "\"id\":\"vendor-down\"", "\"active\":true")
          .contains("\"injectedHere\":2");
    } finally {
      HttpResponse<String> stopped = send("DELETE", "/brownout/api/v1/faults/vendor-down", null);
      assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(204);
    }
    assertThat(vendor.order("z")).isEqualTo("order z");
    assertThat(vendor.quote("w")).isEqualTo("quote w");
    await(
        () -> audit().contains("faults.start") && audit().contains("faults.stop"),
        "the start and the stop are in the audit trail");
  }

  @Test
  void aFaultExperimentEndsByItselfAndItsEndIsAudited() {
    HttpResponse<String> started =
        send(
            "PUT",
            "/brownout/api/v1/faults/vendor-blip",
            "{\"fault\":\"exception\",\"calls\":[\"Vendor.order\"],\"duration\":\"PT1S\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    await(
        () -> {
          try {
            return vendor.order("after").equals("order after");
          } catch (InjectedFaultException e) {
            return false;
          }
        },
        "calls succeed again once the experiment ran out");
    await(
        () -> !send("GET", "/brownout/api/v1/faults", null).body().contains("vendor-blip"),
        "the experiment that ran out is removed");
    await(
        () -> audit().contains("faults.expire") && audit().contains("fault/vendor-blip"),
        "its end is in the audit trail");
  }

  @Test
  void aStoreFaultReachesTheSessionsThroughTheStoreTheStarterWraps() {
    HttpResponse<String> signedIn = send("POST", "/signin?user=ada", null);
    assertThat(signedIn.statusCode()).isEqualTo(200);
    String cookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
    String session = cookie.substring(0, cookie.indexOf(';'));
    assertThat(send("GET", "/me", null, "Cookie", session).body()).isEqualTo("ada");
    HttpResponse<String> started =
        send(
            "PUT",
            "/brownout/api/v1/faults/sessions-down",
            "{\"fault\":\"connection\",\"stores\":[\"sessions\"],\"duration\":\"PT10M\"}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    try {
      HttpResponse<String> me = send("GET", "/me", null, "Cookie", session);
      assertThat(me.statusCode()).as("the session cannot be loaded: " + me.body()).isEqualTo(503);
      assertThat(me.body()).contains("https://brownout.dev/problems/session-store-unavailable");
      assertThat(vendor.order("v")).as("calls are not targeted").isEqualTo("order v");
      HttpResponse<String> signIn = send("POST", "/signin?user=bob", null);
      assertThat(signIn.statusCode())
          .as("a session change that cannot be saved is not answered 200: " + signIn.body())
          .isEqualTo(503);
      assertThat(signIn.body()).contains("https://brownout.dev/problems/session-store-unavailable");
    } finally {
      assertThat(send("DELETE", "/brownout/api/v1/faults/sessions-down", null).statusCode())
          .isEqualTo(204);
    }
    assertThat(send("GET", "/me", null, "Cookie", session).body()).isEqualTo("ada");
  }

  private String audit() {
    HttpResponse<String> trail = send("GET", "/brownout/api/v1/audit?limit=100", null);
    assertThat(trail.statusCode()).as(trail.body()).isEqualTo(200);
    return trail.body();
  }

  private String base() {
    return "http://127.0.0.1" + ":" + environment.getRequiredProperty("local.server.port");
  }

  private HttpRequest request(String method, String path, String json, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base() + path))
            .timeout(Duration.ofSeconds(15))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (path.startsWith("/brownout/")) {
      request.header("Authorization", "Bearer " + TOKEN).header("Brownout-Reason", "game day");
    }
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    if (headers.length > 0) {
      request.headers(headers);
    }
    return request.build();
  }

  private HttpResponse<String> send(String method, String path, String json, String... headers) {
    try {
      return CLIENT.send(
          request(method, path, json, headers), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(String path) {
    return CLIENT.sendAsync(request("GET", path, null), HttpResponse.BodyHandlers.ofString());
  }

  private static void await(BooleanSupplier condition, String what) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
