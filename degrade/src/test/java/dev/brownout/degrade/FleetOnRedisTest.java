package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import dev.brownout.state.redis.RedisStateStore;
import dev.brownout.state.testservers.Await;
import dev.brownout.state.testservers.RedisTestServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two servers on one real Redis, as a fleet: an operator's breaker control holds on both and across
 * a restart; one server's write-path fault browns out that server only, unless the fleet setting
 * says otherwise.
 */
class FleetOnRedisTest {
  static final String WRITE = "write-token-0123456789abcdef";

  RedisTestServer redis;
  final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() {
    redis = new RedisTestServer();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    redis.close();
  }

  RedisStateStore store() {
    RedisStateStore store =
        RedisStateStore.builder().uri(redis.uri()).timeout(Duration.ofSeconds(1)).build();
    closing.add(0, store);
    return store;
  }

  Resilience server() {
    Resilience resilience =
        Resilience.builder(store())
            .circuitBreaker(
                "payments",
                CircuitBreakerConfig.custom().slidingWindowSize(10).minimumNumberOfCalls(5).build())
            .controlRefreshInterval(Duration.ofSeconds(1))
            .build();
    closing.add(0, resilience);
    return resilience;
  }

  static AdminApi admin(Resilience resilience) {
    return AdminApi.builder()
        .authenticator(BearerTokenAuthenticator.builder().writeToken("ops", WRITE).build())
        .routes(resilience.adminRoutes())
        .build();
  }

  static AdminResponse call(AdminApi api, String method, String path, String body, String ifMatch) {
    AdminRequest.Builder request =
        AdminRequest.builder(method, path).header("Authorization", "Bearer " + WRITE);
    if (body != null) {
      request.body(body).header("Content-Type", "application/json");
    }
    if (ifMatch != null) {
      request.header("If-Match", ifMatch);
    }
    return api.handle(request.build());
  }

  @Test
  void aForceOpenThroughOneServerHoldsOnBothAndAfterARestart() throws Exception {
    Resilience first = server();
    Resilience second = server();
    AdminApi api = admin(first);

    AdminResponse forced = call(api, "POST", "/api/v1/breakers/payments/force-open", null, null);
    assertThat(forced.status()).isEqualTo(200);
    long start = System.nanoTime();
    Await.until(
        "the second server's breaker is forced open",
        () -> second.circuitBreaker("payments").getState() == State.FORCED_OPEN);
    System.out.printf(
        "force-open reached the other server in %d ms%n", (System.nanoTime() - start) / 1_000_000);

    // A settings change keeps the forced state.
    String etag = forced.headers().get("ETag");
    AdminResponse changed =
        call(api, "PUT", "/api/v1/breakers/payments/config", "{\"failureRateThreshold\":25}", etag);
    assertThat(changed.status()).isEqualTo(200);
    Await.until(
        "the new threshold reaches the second server",
        () ->
            second.circuitBreaker("payments").getCircuitBreakerConfig().getFailureRateThreshold()
                == 25f);
    assertThat(second.circuitBreaker("payments").getState()).isEqualTo(State.FORCED_OPEN);
    assertThat(first.circuitBreaker("payments").getState()).isEqualTo(State.FORCED_OPEN);

    // A change against a stale ETag is refused with the current one.
    AdminResponse stale = call(api, "POST", "/api/v1/breakers/payments/release", null, etag);
    assertThat(stale.status()).isEqualTo(412);
    assertThat(new String(stale.body(), StandardCharsets.UTF_8)).contains("currentETag");

    // A server that starts afterwards finds the control in the store.
    Resilience restarted = server();
    assertThat(restarted.circuitBreaker("payments").getState()).isEqualTo(State.FORCED_OPEN);
    assertThat(
            restarted
                .circuitBreaker("payments")
                .getCircuitBreakerConfig()
                .getFailureRateThreshold())
        .isEqualTo(25f);

    assertThat(
            call(
                    api,
                    "POST",
                    "/api/v1/breakers/payments/release",
                    null,
                    changed.headers().get("ETag"))
                .status())
        .isEqualTo(200);
    Await.until(
        "the release reaches every server",
        () ->
            second.circuitBreaker("payments").getState() == State.CLOSED
                && restarted.circuitBreaker("payments").getState() == State.CLOSED);
  }

  ReadMode readMode(String server, FleetMode fleet) {
    ReadMode mode =
        ReadMode.builder(store())
            .serverId(server)
            .fleetMode(fleet)
            .refreshInterval(Duration.ofMillis(200))
            .build();
    closing.add(0, mode);
    return mode;
  }

  WritePath writePath(ReadMode readMode) {
    WritePath writePath =
        WritePath.builder(readMode, () -> false)
            .probeInterval(Duration.ofMillis(100))
            .lease(Duration.ofSeconds(5))
            .build();
    closing.add(0, writePath);
    return writePath;
  }

  @Test
  void oneServersWritePathFaultBrownsOutThatServerOnlyByDefault() throws Exception {
    ReadMode a = readMode("server-a", FleetMode.OWN);
    ReadMode b = readMode("server-b", FleetMode.OWN);
    WritePath pathA = writePath(a);
    writePath(b);

    pathA.recordFailure(new SQLException("read-only transaction", "25006"));
    assertThat(a.isBrowseOnly()).isTrue();
    Await.until(
        "server-b hears of server-a's reason",
        () -> b.allReasons().stream().anyMatch(r -> "server-a".equals(r.server())));
    assertThat(b.isBrowseOnly()).as("server-b keeps taking writes").isFalse();
    assertThat(b.reasons()).isEmpty();
  }

  @Test
  void inAnyModeOneServersFaultBrownsOutTheFleetAndEachServersProbeEndsOnlyItsOwn()
      throws Exception {
    ReadMode a = readMode("server-a", FleetMode.ANY);
    ReadMode b = readMode("server-b", FleetMode.ANY);
    java.util.concurrent.atomic.AtomicBoolean aWritable =
        new java.util.concurrent.atomic.AtomicBoolean();
    WritePath pathA =
        WritePath.builder(a, aWritable::get)
            .probeInterval(Duration.ofMillis(100))
            .lease(Duration.ofSeconds(5))
            .build();
    closing.add(0, pathA);
    WritePath pathB = writePath(b);

    pathA.recordFailure(new SQLException("read-only transaction", "25006"));
    Await.until("server-a's fault browns out server-b", b::isBrowseOnly);
    pathB.recordFailure(new SQLException("read-only transaction", "25006"));
    Await.until("both reasons hold on server-a", () -> a.reasons().size() == 2);

    aWritable.set(true);
    Await.until(
        "server-a's probe clears its own reason",
        () -> a.allReasons().stream().noneMatch(r -> "server-a".equals(r.server())));
    assertThat(a.isBrowseOnly()).as("server-b still reports its fault").isTrue();
    assertThat(a.allReasons()).extracting(ReadOnlyReason::server).containsExactly("server-b");
  }

  @Test
  void inQuorumModeTheFleetIsBrowseOnlyOnlyWhenMostServersReportTheFault() throws Exception {
    ReadMode a = readMode("server-a", FleetMode.QUORUM);
    ReadMode b = readMode("server-b", FleetMode.QUORUM);
    ReadMode c = readMode("server-c", FleetMode.QUORUM);
    Await.until("every server is announced", () -> a.liveServers() == 3 && c.liveServers() == 3);
    WritePath pathA = writePath(a);
    WritePath pathB = writePath(b);

    pathA.recordFailure(new SQLException("read-only transaction", "25006"));
    Await.until(
        "server-c hears of server-a's reason",
        () -> c.allReasons().stream().anyMatch(r -> "server-a".equals(r.server())));
    assertThat(c.isBrowseOnly()).as("one of three is not a quorum").isFalse();

    pathB.recordFailure(new SQLException("read-only transaction", "25006"));
    Await.until("two of three are a quorum", c::isBrowseOnly);
  }
}
