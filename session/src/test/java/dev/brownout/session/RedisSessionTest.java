package dev.brownout.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.state.StateStore;
import dev.brownout.state.redis.RedisStateStore;
import dev.brownout.state.testservers.RedisTestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The session contract on one real Redis, each server with its own client. */
class RedisSessionTest extends SessionContract {
  static RedisTestServer redis;

  @BeforeAll
  static void startRedis() {
    redis = new RedisTestServer();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  static Map<String, Long> sent(Map<String, Long> before, Map<String, Long> after) {
    return RedisTestServer.sentByClient(before, after);
  }

  @Test
  void aChangedRequestSendsTwoCommandsAndAnUnchangedOneSendsOne() {
    SessionServer server = server();
    String id = server.get("set=cart:" + "x".repeat(2048), null).newId().orElseThrow();
    server.get("peek", id);

    Map<String, Long> before = redis.commandCounts();
    server.get("set=step:2", id);
    Map<String, Long> afterChanged = redis.commandCounts();
    server.get("peek", id);
    Map<String, Long> afterUnchanged = redis.commandCounts();
    server.send("none", "SESSION=" + id, java.util.List.of());
    Map<String, Long> afterUntouched = redis.commandCounts();

    assertThat(sent(before, afterChanged)).containsOnly(entry("hgetall", 1L), entry("evalsha", 1L));
    assertThat(sent(afterChanged, afterUnchanged)).containsOnly(entry("hgetall", 1L));
    assertThat(sent(afterUnchanged, afterUntouched)).isEmpty();
  }

  @Test
  void withNearCachesOnBothServersConcurrentRequestsLoseNothing() throws Exception {
    assertConcurrentRequestsLoseNothing(config().set(SessionConfig.NEAR_CACHE_SIZE, 1000).build());
  }

  @Test
  void aNearCacheHitCostsNoReadAndAChangeOnAnotherServerReachesIt() {
    BrownoutConfig cached = config().set(SessionConfig.NEAR_CACHE_SIZE, 1000).build();
    SessionServer first = server(cached);
    SessionServer second = server(cached);
    String id = first.get("set=a:1", null).newId().orElseThrow();
    assertThat(second.get("peek", id).body()).isEqualTo("a=1");

    Map<String, Long> before = redis.commandCounts();
    assertThat(second.get("peek", id).body()).isEqualTo("a=1");
    assertThat(sent(before, redis.commandCounts())).as("a hit reads nothing").isEmpty();

    first.get("set=a:2", id);
    Map<String, Long> afterSave = redis.commandCounts();
    assertThat(first.get("peek", id).body()).isEqualTo("a=2");
    assertThat(sent(afterSave, redis.commandCounts()))
        .as(
            "the saving server's entry was updated in place, and its own save's announcement is"
                + " not taken for a change")
        .isEmpty();
    // The change is announced over pub/sub: the second server's entry is evicted within moments.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!second.get("peek", id).body().equals("a=2")) {
      assertThat(System.nanoTime()).as("the change reaches the other server").isLessThan(deadline);
    }
  }

  @Override
  StateStore client() {
    RedisStateStore store =
        RedisStateStore.builder().uri(redis.uri()).timeout(Duration.ofSeconds(2)).build();
    closing.add(store);
    return store;
  }
}
