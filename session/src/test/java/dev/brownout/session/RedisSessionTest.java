package dev.brownout.session;

import dev.brownout.state.StateStore;
import dev.brownout.state.redis.RedisStateStore;
import dev.brownout.state.testservers.RedisTestServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

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

  @Override
  StateStore client() {
    RedisStateStore store =
        RedisStateStore.builder().uri(redis.uri()).timeout(Duration.ofSeconds(2)).build();
    closing.add(store);
    return store;
  }
}
