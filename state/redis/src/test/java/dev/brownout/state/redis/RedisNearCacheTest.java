package dev.brownout.state.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.Namespace;
import dev.brownout.state.NearCache;
import dev.brownout.state.Update;
import dev.brownout.state.testservers.RedisTestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The near cache on real Redis: a hit makes no call, another server's change evicts. */
class RedisNearCacheTest {
  static RedisTestServer server;

  @BeforeAll
  static void start() {
    server = new RedisTestServer();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aHitMakesNoServerCallAndAChangeOnAnotherServerIsSeen() throws Exception {
    Namespace flags = Namespace.small("flags");
    try (RedisStateStore writer = RedisStateStore.builder().uri(server.uri()).build();
        NearCache cache =
            NearCache.builder(RedisStateStore.builder().uri(server.uri()).build()).build()) {
      writer.update(flags, "checkout", Update.builder().set("on", "true").build());
      cache.read(flags, "checkout");

      Map<String, Long> before = server.commandCounts();
      for (int i = 0; i < 100; i++) {
        assertThat(cache.read(flags, "checkout").orElseThrow().text("on")).hasValue("true");
      }
      Map<String, Long> after = server.commandCounts();
      assertThat(RedisTestServer.delta(before, after))
          .as("commands sent for 100 cached reads")
          .isEmpty();

      writer.update(flags, "checkout", Update.builder().set("on", "false").build());
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (!cache
          .read(flags, "checkout")
          .orElseThrow()
          .text("on")
          .orElseThrow()
          .equals("false")) {
        assertThat(System.nanoTime()).as("the change reaches the cache").isLessThan(deadline);
        Thread.sleep(10);
      }
    }
  }
}
