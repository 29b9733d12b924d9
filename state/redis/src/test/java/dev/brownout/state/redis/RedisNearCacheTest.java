package dev.brownout.state.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.Namespace;
import dev.brownout.state.NearCache;
import dev.brownout.state.Update;
import dev.brownout.state.testservers.RedisTestServer;
import java.time.Duration;
import java.util.List;
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

  @Test
  void aChangeMadeWhileTheFeedWasDownIsNeverServedStale() throws Exception {
    Namespace flags = Namespace.small("outage-flags");
    List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (RedisTestServer durable = RedisTestServer.durable();
        RedisStateStore writer =
            RedisStateStore.builder().uri(durable.uri()).timeout(Duration.ofMillis(500)).build();
        RedisStateStore watched =
            RedisStateStore.builder()
                .uri(durable.uri())
                .timeout(Duration.ofMillis(500))
                .connectLazily()
                .build();
        NearCache cache = NearCache.builder(watched).build()) {
      watched.watch(
          flags,
          new dev.brownout.state.WatchListener() {
            @Override
            public void onChange(dev.brownout.state.ChangeEvent event) {}

            @Override
            public void onFeedLost() {
              heard.add("lost");
            }

            @Override
            public void onResync() {
              heard.add("resync");
            }
          });
      writer.update(flags, "checkout", Update.builder().set("on", "1").build());
      assertThat(cache.read(flags, "checkout").orElseThrow().text("on")).hasValue("1");

      durable.stop();
      dev.brownout.state.testservers.Await.until(
          "the watcher hears its feed is lost",
          Duration.ofSeconds(10),
          Duration.ofMillis(20),
          () -> heard.contains("lost"));
      durable.start();
      // Changed the moment Redis is back: before the watch connection has reconnected, or between
      // its reconnect and its subscription.
      dev.brownout.state.testservers.Await.until(
          "the writer gets through",
          Duration.ofSeconds(20),
          Duration.ofMillis(20),
          () -> {
            try {
              writer.update(flags, "checkout", Update.builder().set("on", "2").build());
              return true;
            } catch (dev.brownout.state.StateUnavailableException e) {
              return false;
            }
          });
      // From here on, every read the cache answers is the new version, never the one it held.
      long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < deadline) {
        try {
          assertThat(cache.read(flags, "checkout").orElseThrow().text("on")).hasValue("2");
        } catch (dev.brownout.state.StateUnavailableException e) {
          // the cache's own connection is still coming back: a failure, not a stale answer
        }
        Thread.sleep(10);
      }
      dev.brownout.state.testservers.Await.until(
          "the watcher is told to resynchronise after the reconnect",
          Duration.ofSeconds(20),
          Duration.ofMillis(20),
          () -> heard.contains("resync"));
      assertThat(heard.indexOf("lost")).isLessThan(heard.lastIndexOf("resync"));
    }
  }
}
