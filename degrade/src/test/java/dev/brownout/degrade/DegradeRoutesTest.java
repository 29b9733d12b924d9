package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.state.InMemoryStateStore;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Read mode and breakers through the admin API: rights, validation, audit, live settings. */
class DegradeRoutesTest {
  static final String READ = "read-token-0123456789abcdef";
  static final String WRITE = "write-token-0123456789abcdef";

  final InMemoryStateStore store = InMemoryStateStore.create();
  final ReadMode readMode = ReadMode.builder(store).build();
  final Resilience resilience =
      Resilience.builder(store)
          .circuitBreaker(
              "payments",
              CircuitBreakerConfig.custom().slidingWindowSize(10).minimumNumberOfCalls(5).build())
          .build();
  final InMemoryAuditSink audit = new InMemoryAuditSink(100);
  final AdminApi api;

  DegradeRoutesTest() {
    List<dev.brownout.core.admin.AdminRoute> routes = new ArrayList<>(readMode.adminRoutes());
    routes.addAll(resilience.adminRoutes());
    api =
        AdminApi.builder()
            .authenticator(
                BearerTokenAuthenticator.builder()
                    .readToken("viewer", READ)
                    .writeToken("ops", WRITE)
                    .build())
            .auditSink(audit)
            .routes(routes)
            .build();
  }

  @AfterEach
  void close() {
    readMode.close();
    store.close();
    resilience.close();
  }

  AdminResponse call(String method, String path, String token, String body) {
    AdminRequest.Builder request =
        AdminRequest.builder(method, path).header("Authorization", "Bearer " + token);
    if (body != null) {
      request.body(body).header("Content-Type", "application/json");
    }
    return api.handle(request.build());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> json(AdminResponse response) {
    return JsonCodec.standard()
        .decode(new String(response.body(), StandardCharsets.UTF_8), Map.class);
  }

  @Test
  void reasonsAreSetAndClearedOneByOneAndAudited() {
    String body = "{\"kind\":\"maintenance\",\"message\":\"Moving databases.\"}";
    assertThat(call("PUT", "/api/v1/read-mode/reasons/db-move", READ, body).status())
        .as("a read token cannot change the mode")
        .isEqualTo(403);
    assertThat(call("PUT", "/api/v1/read-mode/reasons/db-move", WRITE, body).status())
        .isEqualTo(200);
    assertThat(
            call(
                    "PUT",
                    "/api/v1/read-mode/reasons/payments",
                    WRITE,
                    "{\"kind\":\"manual\",\"message\":\"Payments are down.\"}")
                .status())
        .isEqualTo(200);
    Map<String, Object> view = json(call("GET", "/api/v1/read-mode", READ, null));
    assertThat(view).containsEntry("mode", "browse-only");
    assertThat(readMode.reasons()).extracting(ReadOnlyReason::source).containsOnly("ops");

    assertThat(call("DELETE", "/api/v1/read-mode/reasons/db-move", WRITE, null).status())
        .isEqualTo(204);
    assertThat(readMode.reasons()).extracting(ReadOnlyReason::id).containsExactly("payments");
    assertThat(call("DELETE", "/api/v1/read-mode/reasons/db-move", WRITE, null).status())
        .isEqualTo(404);
    assertThat(audit.recent(100)).hasSize(3);
  }

  @Test
  void badReasonsAreRefusedAndChangeNothing() {
    AdminResponse automatic =
        call(
            "PUT",
            "/api/v1/read-mode/reasons/auto:x",
            WRITE,
            "{\"kind\":\"automatic\",\"message\":\"x\"}");
    assertThat(automatic.status()).isEqualTo(400);
    assertThat(new String(automatic.body(), StandardCharsets.UTF_8))
        .contains("set by the write path");
    assertThat(
            call(
                    "PUT",
                    "/api/v1/read-mode/reasons/x",
                    WRITE,
                    "{\"kind\":\"manual\",\"message\":\" \"}")
                .status())
        .isEqualTo(400);
    assertThat(
            call(
                    "PUT",
                    "/api/v1/read-mode/reasons/BAD ID",
                    WRITE,
                    "{\"kind\":\"manual\",\"message\":\"m\"}")
                .status())
        .isIn(400, 404);
    assertThat(readMode.isBrowseOnly()).isFalse();
  }

  public interface Payments {
    @CircuitBreaker("payments")
    String charge(String booking);
  }

  @Test
  void breakersAreListedForcedAndReconfiguredLive() {
    Payments payments =
        GuardedProxies.builder()
            .add(resilience.guards())
            .build()
            .proxy(Payments.class, booking -> "paid " + booking);
    assertThat(json(call("GET", "/api/v1/breakers", READ, null)).toString())
        .contains("name=payments")
        .contains("state=closed");

    assertThat(call("POST", "/api/v1/breakers/payments/force-open", WRITE, null).status())
        .isEqualTo(200);
    assertThatThrownBy(() -> payments.charge("b1")).isInstanceOf(CallNotPermittedException.class);
    assertThat(call("POST", "/api/v1/breakers/payments/close", WRITE, null).status())
        .isEqualTo(200);
    assertThat(payments.charge("b2")).isEqualTo("paid b2");

    AdminResponse configured =
        call(
            "PUT",
            "/api/v1/breakers/payments/config",
            WRITE,
            "{\"failureRateThreshold\":25,\"minimumNumberOfCalls\":2}");
    assertThat(configured.status()).isEqualTo(200);
    assertThat(
            resilience
                .circuitBreaker("payments")
                .getCircuitBreakerConfig()
                .getFailureRateThreshold())
        .isEqualTo(25f);
    assertThat(payments.charge("b3")).as("the proxy uses the new breaker").isEqualTo("paid b3");
    assertThat(resilience.circuitBreaker("payments").getMetrics().getNumberOfBufferedCalls())
        .isEqualTo(1);

    assertThat(
            call("PUT", "/api/v1/breakers/payments/config", WRITE, "{\"failureRateThreshold\":250}")
                .status())
        .isEqualTo(400);
    assertThat(call("POST", "/api/v1/breakers/payments/explode", WRITE, null).status())
        .isEqualTo(400);
    assertThat(call("POST", "/api/v1/breakers/nope/reset", WRITE, null).status()).isEqualTo(404);
  }
}
