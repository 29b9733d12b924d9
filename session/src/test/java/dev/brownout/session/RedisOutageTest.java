package dev.brownout.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.redis.RedisStateStore;
import dev.brownout.state.testservers.Await;
import dev.brownout.state.testservers.RedisTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis killed mid-run, under each store-down policy: the request gets the documented answer, and
 * nothing acknowledged is lost once Redis is back (it runs with {@code appendfsync always}).
 */
class RedisOutageTest {
  RedisTestServer redis;
  final BrownoutMetrics metrics = BrownoutMetrics.inMemory();
  final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() {
    redis = RedisTestServer.durable();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    redis.close();
  }

  SessionServer server(BrownoutConfig.Builder config) {
    RedisStateStore store =
        RedisStateStore.builder()
            .uri(redis.uri())
            .timeout(Duration.ofMillis(300))
            .connectLazily()
            .build();
    Sessions sessions = Sessions.builder(store).config(config.build()).metrics(metrics).build();
    SessionServer server = new SessionServer(sessions);
    closing.add(0, store);
    closing.add(0, sessions);
    closing.add(0, server);
    return server;
  }

  double storeErrors(String policy, String action) {
    return metrics.counter(SessionMetrics.STORE_ERRORS, policy, action).count();
  }

  @Test
  void failClosedAnswers503ProblemJsonAndLosesNothingAcknowledged() {
    SessionServer server = server(SessionContract.config());
    String id = server.get("set=a:1", null).newId().orElseThrow();
    for (int i = 0; i < 20; i++) {
      assertThat(server.get("set=n" + i + ":" + i, id).status()).isEqualTo(200);
    }

    redis.stop();
    SessionServer.Reply refused = server.get("set=lost:1", id);
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.raw().headers().firstValue("Retry-After")).hasValue("5");
    assertThat(refused.raw().headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(refused.body()).contains(SessionFilter.PROBLEM_TYPE).contains("\"status\":503");
    assertThat(server.send("none", "SESSION=" + id, List.of()).status())
        .as("a request that never asks for its session is served")
        .isEqualTo(200);
    assertThat(storeErrors("fail-closed", "rejected")).isGreaterThanOrEqualTo(1);

    redis.start();
    String body = awaitBody(server, id);
    for (int i = 0; i < 20; i++) {
      assertThat(body).contains("n" + i + "=" + i);
    }
    assertThat(body).doesNotContain("lost");
  }

  @Test
  void anApplicationStartsWhileRedisIsDown() {
    redis.stop();
    SessionServer server = server(SessionContract.config());
    assertThat(server.get("set=a:1", null).status()).isEqualTo(503);
    redis.start();
    Await.until(
        "Redis answers again",
        Duration.ofSeconds(20),
        Duration.ofMillis(100),
        () -> server.get("set=a:1", null).status() == 200);
  }

  @Test
  void serveCachedKeepsCachedSessionsWorkingAndWritesTheirChangesWhenRedisReturns() {
    SessionServer server =
        server(
            SessionContract.config()
                .set(SessionConfig.STORE_DOWN, StoreDownPolicy.SERVE_CACHED)
                .set(SessionConfig.NEAR_CACHE_SIZE, 1000));
    String id = server.get("set=a:1", null).newId().orElseThrow();
    assertThat(server.get("peek", id).body()).isEqualTo("a=1");

    redis.stop();
    assertThat(server.get("set=b:2", id).status()).isEqualTo(200);
    assertThat(server.get("peek", id).body()).isEqualTo("a=1\nb=2");
    assertThat(storeErrors("serve-cached", "deferred")).isGreaterThanOrEqualTo(1);
    SessionServer.Reply unknown = server.get("peek", "B".repeat(27));
    assertThat(unknown.status()).as("a session not in the cache fails closed").isEqualTo(503);

    redis.start();
    Await.until(
        "the held change reaches Redis",
        Duration.ofSeconds(20),
        Duration.ofMillis(100),
        () -> readFromRedis(id).contains("b=2"));
    assertThat(readFromRedis(id)).isEqualTo("a=1\nb=2");
  }

  @Test
  void newSessionLetsReadsGoOnWithAnEmptySessionAndFailsChangesClosed() {
    SessionServer server =
        server(SessionContract.config().set(SessionConfig.STORE_DOWN, StoreDownPolicy.NEW_SESSION));
    String id = server.get("set=a:1", null).newId().orElseThrow();

    redis.stop();
    SessionServer.Reply read = server.get("", id);
    assertThat(read.status()).as("a page that only reads").isEqualTo(200);
    assertThat(read.body()).isEmpty();
    // The fresh session was not stored: the client is not given an id that names nothing, so it
    // keeps the one that works again once the store is back.
    assertThat(read.newId()).isEmpty();

    SessionServer.Reply change = server.get("set=b:2", id);
    assertThat(change.status())
        .as("a change that cannot be saved is not answered 200")
        .isEqualTo(503);
    assertThat(change.body()).contains(SessionFilter.PROBLEM_TYPE);
    assertThat(storeErrors("new-session", "new-session")).isEqualTo(2);
    assertThat(storeErrors("new-session", "dropped")).isEqualTo(1);
    assertThat(storeErrors("new-session", "rejected")).isEqualTo(1);

    redis.start();
    // Under this policy a failed load also answers 200 (with a new session): wait for the data.
    Await.until(
        "the old session is read again",
        Duration.ofSeconds(20),
        Duration.ofMillis(100),
        () -> server.get("peek", id).body().equals("a=1"));
  }

  /** The session as a fresh server, with its own connection, reads it from Redis. */
  String readFromRedis(String id) {
    try (RedisStateStore store =
            RedisStateStore.builder()
                .uri(redis.uri())
                .timeout(Duration.ofMillis(300))
                .connectLazily()
                .build();
        Sessions sessions = Sessions.builder(store).build();
        SessionServer fresh = new SessionServer(sessions)) {
      return fresh.get("peek", id).body();
    }
  }

  static String awaitBody(SessionServer server, String id) {
    String[] body = new String[1];
    Await.until(
        "Redis answers again",
        Duration.ofSeconds(20),
        Duration.ofMillis(100),
        () -> {
          SessionServer.Reply reply = server.get("peek", id);
          body[0] = reply.body();
          return reply.status() == 200;
        });
    return body[0];
  }
}
