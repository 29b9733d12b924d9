package dev.brownout.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.degrade.DegradeConfig;
import dev.brownout.degrade.Resilience;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.state.testservers.RedisTestServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter as a Boot application uses it, on a random port, with a real Redis as the store:
 * nothing in {@link SuiteApplication} wires Brownout. The same suite runs on Boot 3.5
 * (spring/boot3) and Boot 4.0 (spring/boot4).
 */
@SpringBootTest(
    classes = SuiteApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StarterIT {
  static final RedisTestServer redis = new RedisTestServer();

  @DynamicPropertySource
  static void store(DynamicPropertyRegistry registry) {
    registry.add("brownout.store", redis::uri);
    registry.add("brownout.state.redis.timeout", () -> "500ms");
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Autowired Environment environment;
  @Autowired Flags flags;
  @Autowired Resilience resilience;
  @Autowired BrownoutConfig config;
  @Autowired SuiteApplication.Payments payments;
  @Autowired SuiteApplication.Bookings bookings;

  Http http;

  @BeforeEach
  void client() {
    http = new Http(environment.getRequiredProperty("local.server.port", Integer.class));
    payments.vendorDown(false);
  }

  @AfterEach
  void closeBreakers() {
    for (String breaker : List.of("payments", "search")) {
      resilience.circuitBreaker(breaker).transitionToClosedState();
    }
  }

  @Test
  @Order(1)
  void sessionsAreKeptInRedisThroughTheFilterWithBootsSessionProperties() {
    HttpResponse<String> signIn = http.post("/signin?user=ada");
    assertThat(signIn.statusCode()).isEqualTo(200);
    String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie)
        .as("server.servlet.session.cookie.name, and brownout.session.cookie.same-site")
        .startsWith("STAYS=")
        .contains("HttpOnly", "SameSite=Strict");
    String session = cookie.substring(0, cookie.indexOf(';'));

    HttpResponse<String> me = http.get("/me", "Cookie", session);
    assertThat(me.body())
        .contains("\"user\":\"ada\"")
        .as("server.servlet.session.timeout: 20m")
        .contains("\"maxInactive\":1200");

    try (RedisClient client = RedisClient.create(redis.uri());
        StatefulRedisConnection<String, String> connection = client.connect()) {
      assertThat(connection.sync().keys("*session*"))
          .as("the session is a record in Redis")
          .isNotEmpty();
    }
  }

  @Test
  @Order(2)
  void aFlagFlippedThroughTheAdminApiSendsAClassBasedServiceToItsFallback() {
    flags.admin().create(FlagDefinition.on("instant-book"));
    awaitBody("/instant/3", "instant 3");

    HttpResponse<String> patched =
        http.admin("PATCH", "/brownout/api/v1/flags/instant-book", "{\"enabled\":false}");
    assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
    awaitBody("/instant/3", "requested 3");
  }

  @Test
  @Order(3)
  void aFeatureOffWithoutFallbackIsA404Problem() {
    HttpResponse<String> response = http.get("/reports");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(response.body()).contains("https://brownout.dev/problems/feature-off", "reports");
  }

  @Test
  @Order(4)
  void anOpenBreakerSendsTheCallToItsFallbackAndTheBreakerOpensAsApplicationYmlSays() {
    assertThat(
            resilience
                .circuitBreaker("payments")
                .getCircuitBreakerConfig()
                .getMinimumNumberOfCalls())
        .as("brownout.degrade.breaker.minimum-calls from application.yml")
        .isEqualTo(2);
    assertThat(config.get(DegradeConfig.BREAKER_WINDOW)).isEqualTo(4);

    assertThat(http.get("/pay/1").body()).isEqualTo("charged 1");
    payments.vendorDown(true);
    assertThat(http.get("/pay/2").body()).isEqualTo("pending 2");
    assertThat(http.get("/pay/3").body()).isEqualTo("pending 3");
    int calls = payments.vendorCalls();
    assertThat(http.get("/pay/4").body()).isEqualTo("pending 4");
    assertThat(payments.vendorCalls())
        .as("the breaker is open: the vendor is not called")
        .isEqualTo(calls);

    payments.vendorDown(false);
    assertThat(http.admin("POST", "/brownout/api/v1/breakers/payments/release", null).statusCode())
        .isEqualTo(200);
    assertThat(http.get("/pay/5").body()).isEqualTo("charged 5");

    assertThat(payments.chargeThroughThis("6"))
        .as("a call through this is not guarded")
        .isEqualTo("charged 6");
  }

  @Test
  @Order(5)
  void aBreakerForcedOpenThroughTheAdminApiWithoutFallbackIsA503Problem() {
    HttpResponse<String> forced =
        http.admin("POST", "/brownout/api/v1/breakers/search/force-open", null);
    assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);
    awaitStatus("/search?q=flat", 503);
    HttpResponse<String> refused = http.get("/search?q=flat");
    assertThat(refused.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
    assertThat(refused.body()).contains("https://brownout.dev/problems/breaker-open", "search");

    http.admin("POST", "/brownout/api/v1/breakers/search/release", null);
    awaitStatus("/search?q=flat", 200);
  }

  @Test
  @Order(6)
  void browseOnlyRefusesWritesWith503AndKeepsBrowsing() {
    HttpResponse<String> entered =
        http.admin(
            "PUT",
            "/brownout/api/v1/read-mode/reasons/db-move",
            "{\"kind\":\"maintenance\",\"message\":\"Moving databases.\"}");
    assertThat(entered.statusCode()).as(entered.body()).isBetween(200, 201);
    try {
      HttpResponse<String> refused = http.post("/bookings?listing=3");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      assertThat(refused.body())
          .contains("https://brownout.dev/problems/browse-only", "Moving databases.");

      int before = bookings.made();
      HttpResponse<String> guarded = http.get("/bookings/quick?listing=3");
      assertThat(guarded.statusCode())
          .as("@WriteOperation on a class-based service")
          .isEqualTo(503);
      assertThat(guarded.body()).contains("https://brownout.dev/problems/browse-only");
      assertThat(bookings.made()).isEqualTo(before);

      HttpResponse<String> browsing = http.get("/pay/7");
      assertThat(browsing.statusCode()).isEqualTo(200);
      assertThat(browsing.headers().firstValue("Brownout-Mode")).hasValue("browse-only");
    } finally {
      assertThat(
              http.admin("DELETE", "/brownout/api/v1/read-mode/reasons/db-move", null).statusCode())
          .isBetween(200, 204);
    }
    assertThat(http.post("/bookings?listing=3").statusCode()).isEqualTo(200);
  }

  @Test
  @Order(7)
  void healthReflectsAKilledRedis() {
    assertThat(storeHealth(http.get("/actuator/health"))).isEqualTo("UP");
    redis.stop();
    try {
      HttpResponse<String> down = http.get("/actuator/health");
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(storeHealth(down)).isEqualTo("DOWN");
      assertThat(http.get("/pay/8").body()).as("browsing goes on").isEqualTo("charged 8");
    } finally {
      redis.start();
    }
    await(() -> http.get("/actuator/health").statusCode() == 200, "health is up again");
  }

  @Test
  @Order(8)
  void faultInjectionIsOffUnlessEnabledItsRoutesRefuseAndNoInboundLimitIsRegistered() {
    HttpResponse<String> refused =
        http.admin(
            "PUT",
            "/brownout/api/v1/faults/payments-down",
            "{\"fault\":\"exception\",\"calls\":[\"Payments.*\"],\"duration\":\"PT1M\"}");
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
    assertThat(refused.body()).contains("faults-disabled", "brownout.degrade.faults.enabled=true");
    HttpResponse<String> listed = http.admin("GET", "/brownout/api/v1/faults", null);
    assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
    assertThat(listed.body()).contains("\"enabled\":false", "\"experiments\":[]");
    assertThat(http.get("/pay/9").body()).as("nothing injected").isEqualTo("charged 9");

    HttpResponse<String> limits = http.admin("GET", "/brownout/api/v1/concurrency-limits", null);
    assertThat(limits.statusCode()).as(limits.body()).isEqualTo(200);
    assertThat(limits.body())
        .as("the inbound limit is opt-in: no limiter is declared for it")
        .contains("\"limiters\":[]");
  }

  private static String storeHealth(HttpResponse<String> health) {
    try {
      return new ObjectMapper()
          .readTree(health.body())
          .at("/components/brownoutStore/status")
          .asText();
    } catch (java.io.IOException e) {
      throw new AssertionError(health.body(), e);
    }
  }

  private void awaitBody(String path, String body) {
    await(() -> http.get(path).body().equals(body), path + " answers " + body);
  }

  private void awaitStatus(String path, int status) {
    await(() -> http.get(path).statusCode() == status, path + " answers " + status);
  }

  static void await(Supplier<Boolean> condition, String what) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (!condition.get()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
