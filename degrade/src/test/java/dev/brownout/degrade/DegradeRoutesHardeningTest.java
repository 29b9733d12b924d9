package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.AuditSink;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.state.ForwardingStateStore;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.Namespace;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a hostile or careless caller of the read-mode and breaker routes gets: a 4xx naming what was
 * wrong, nothing changed, and no audit record; a change that is applied has exactly one.
 */
class DegradeRoutesHardeningTest {
  static final String WRITE = "write-token-0123456789abcdef";

  /** A store that can be taken down, and that refuses records over a small size. */
  static final class Unreliable extends ForwardingStateStore {
    final AtomicBoolean down = new AtomicBoolean();

    Unreliable(InMemoryStateStore store) {
      super(store);
    }

    @Override
    public WriteResult update(Namespace namespace, String key, Update update) {
      if (down.get()) {
        throw new StateUnavailableException("the store is down (test)", null);
      }
      return super.update(namespace, key, update);
    }
  }

  final InMemoryStateStore memory = InMemoryStateStore.builder().maxRecordBytes(2048).build();
  final Unreliable store = new Unreliable(memory);
  final ReadMode readMode = ReadMode.builder(store).build();
  final Resilience resilience =
      Resilience.builder(store)
          .circuitBreaker(
              "payments",
              CircuitBreakerConfig.custom().slidingWindowSize(10).minimumNumberOfCalls(5).build())
          .build();
  final InMemoryAuditSink audit = new InMemoryAuditSink(100);
  final AdminApi api;

  DegradeRoutesHardeningTest() {
    List<AdminRoute> routes = new ArrayList<>(readMode.adminRoutes());
    routes.addAll(resilience.adminRoutes());
    api =
        AdminApi.builder()
            .authenticator(BearerTokenAuthenticator.builder().writeToken("ops", WRITE).build())
            .auditSink(audit)
            .routes(routes)
            .build();
  }

  @AfterEach
  void close() {
    readMode.close();
    memory.close();
    resilience.close();
  }

  AdminResponse call(String method, String path, String body) {
    AdminRequest.Builder request =
        AdminRequest.builder(method, path).header("Authorization", "Bearer " + WRITE);
    if (body != null) {
      request.body(body).header("Content-Type", "application/json");
    }
    return api.handle(request.build());
  }

  static String text(AdminResponse response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  @Test
  void aJsonNullBodyIsABadRequestOnEveryRouteThatReadsOne() {
    for (String[] route :
        List.of(
            new String[] {"PUT", "/api/v1/read-mode/reasons/x"},
            new String[] {"PUT", "/api/v1/breakers/payments/config"})) {
      AdminResponse response = call(route[0], route[1], "null");
      assertThat(response.status()).as(route[1]).isEqualTo(400);
      assertThat(text(response)).contains("not null");
    }
    assertThat(audit.recent(100)).isEmpty();
    assertThat(readMode.isBrowseOnly()).isFalse();
  }

  @Test
  void breakerSettingsOutsideTheirRangesAreRefusedNamingEachAndChangeNothing() {
    var before = resilience.circuitBreaker("payments").getCircuitBreakerConfig();
    for (String body :
        List.of(
            "{\"slidingWindowSize\":10000000}",
            "{\"slidingWindowSize\":2147483647,\"minimumNumberOfCalls\":2147483647}",
            "{\"failureRateThreshold\":0}",
            "{\"failureRateThreshold\":101}",
            "{\"waitInOpenStateMillis\":-5}",
            "{\"slowCallDurationMillis\":9999999999}",
            "{\"minimumNumberOfCalls\":11}")) {
      AdminResponse response = call("PUT", "/api/v1/breakers/payments/config", body);
      assertThat(response.status()).as(body).isEqualTo(400);
      assertThat(text(response)).as(body).contains("nothing changed");
    }
    assertThat(
            text(
                call(
                    "PUT",
                    "/api/v1/breakers/payments/config",
                    "{\"slidingWindowSize\":0,\"failureRateThreshold\":200}")))
        .contains("slidingWindowSize must be between 1 and 10000 but was 0")
        .contains("failureRateThreshold must be above 0 and at most 100 (percent) but was 200");
    assertThat(resilience.circuitBreaker("payments").getCircuitBreakerConfig()).isSameAs(before);
    assertThat(audit.recent(100)).isEmpty();

    assertThat(
            call("PUT", "/api/v1/breakers/payments/config", "{\"slidingWindowSize\":10000}")
                .status())
        .isEqualTo(200);
    assertThat(audit.recent(100)).hasSize(1);
  }

  @Test
  void aReasonTooLargeForTheStoreIsRefusedAndHeldNowhere() {
    String message = "x".repeat(ReadOnlyReason.MAX_MESSAGE_LENGTH + 1);
    AdminResponse tooLong =
        call(
            "PUT",
            "/api/v1/read-mode/reasons/big",
            "{\"kind\":\"manual\",\"message\":\"" + message + "\"}");
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(text(tooLong)).contains("message must be at most 1000 characters");

    // Within the message limit, but over this store's record limit.
    AdminResponse overStore =
        call(
            "PUT",
            "/api/v1/read-mode/reasons/" + "b".repeat(120),
            "{\"kind\":\"manual\",\"message\":\"" + "é".repeat(999) + "\"}");
    assertThat(overStore.status()).isEqualTo(400);
    assertThat(text(overStore)).contains("too large for the store");
    assertThat(readMode.isBrowseOnly()).as("held on no server").isFalse();
    assertThat(audit.recent(100)).isEmpty();
  }

  @Test
  void withTheStoreDownAReasonIsRefusedRetryablyAndHeldNowhere() {
    store.down.set(true);
    AdminResponse response =
        call(
            "PUT",
            "/api/v1/read-mode/reasons/db-move",
            "{\"kind\":\"maintenance\",\"message\":\"Moving databases.\"}");
    assertThat(response.status()).isEqualTo(503);
    assertThat(text(response)).contains("not set on any server").contains("\"retryable\":true");
    assertThat(readMode.isBrowseOnly()).isFalse();
    assertThat(audit.recent(100)).isEmpty();

    store.down.set(false);
    assertThat(
            call(
                    "PUT",
                    "/api/v1/read-mode/reasons/db-move",
                    "{\"kind\":\"maintenance\",\"message\":\"Moving databases.\"}")
                .status())
        .isEqualTo(200);
    assertThat(readMode.isBrowseOnly()).isTrue();
    assertThat(audit.recent(100)).hasSize(1);
  }

  @Test
  void anEtaInThePastOrTooFarAheadIsRefused() {
    for (String eta : List.of("12", "\"1970-01-01T00:00:12Z\"", "\"2999-01-01T00:00:00Z\"")) {
      AdminResponse response =
          call(
              "PUT",
              "/api/v1/read-mode/reasons/db-move",
              "{\"kind\":\"maintenance\",\"message\":\"Moving.\",\"eta\":" + eta + "}");
      assertThat(response.status()).as(eta).isEqualTo(400);
    }
    assertThat(readMode.isBrowseOnly()).isFalse();
    assertThat(audit.recent(100)).isEmpty();
  }

  @Test
  void aChangeIsRefusedBeforeItIsAppliedWhenItsAuditRecordCannotBeKept() {
    AtomicInteger refused = new AtomicInteger();
    AtomicBoolean failing = new AtomicBoolean(true);
    InMemoryAuditSink kept = new InMemoryAuditSink(20_000);
    AuditSink flaky =
        new AuditSink() {
          @Override
          public void record(AuditRecord record) {
            if (failing.get()) {
              refused.incrementAndGet();
              throw new IllegalStateException("the audit database is down (test)");
            }
            kept.record(record);
          }
        };
    AdminApi strict =
        AdminApi.builder()
            .authenticator(BearerTokenAuthenticator.builder().writeToken("ops", WRITE).build())
            .auditSink(flaky)
            .routes(resilience.adminRoutes())
            .build();
    int applied = 0;
    int refusedChanges = 0;
    for (int i = 0; i < 10_050; i++) {
      AdminResponse response =
          strict.handle(
              AdminRequest.builder(
                      "POST", "/api/v1/breakers/payments/" + (i % 2 == 0 ? "force-open" : "close"))
                  .header("Authorization", "Bearer " + WRITE)
                  .build());
      if (response.status() == 200) {
        applied++;
      } else {
        assertThat(response.status()).isEqualTo(503);
        assertThat(text(response)).contains("audit-unavailable").contains("nothing was changed");
        refusedChanges++;
      }
    }
    assertThat(applied).as("changes applied while their records wait").isEqualTo(10_000);
    assertThat(refusedChanges).isEqualTo(50);

    failing.set(false);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (kept.recent(20_000).size() < applied && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(kept.recent(20_000)).as("every applied change has its record").hasSize(applied);
  }
}
