package dev.brownout.state.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.testservers.RedisTestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the Redis store sends, counted by the server itself ({@code INFO commandstats}). */
class RedisRoundTripTest {
  static RedisTestServer server;
  static RedisStateStore store;

  @BeforeAll
  static void start() {
    server = new RedisTestServer();
    store = RedisStateStore.builder().uri(server.uri()).timeout(Duration.ofSeconds(2)).build();
  }

  @AfterAll
  static void stop() {
    store.close();
    server.close();
  }

  @Test
  void anUpdateIsOneScriptCallAndAReadIsOneCommand() {
    Namespace sessions = Namespace.large("sessions");
    Update update =
        Update.builder()
            .set("cart", new byte[2048])
            .set("user", "ada")
            .remove("coupon")
            .expireAt(Instant.now().plusSeconds(1800))
            .precondition(Precondition.none())
            .build();
    store.update(sessions, "warm-up", update);

    Map<String, Long> beforeUpdate = server.commandCounts();
    store.update(sessions, "s1", update);
    Map<String, Long> afterUpdate = server.commandCounts();
    store.read(sessions, "s1");
    Map<String, Long> afterRead = server.commandCounts();
    store.read(sessions, "s1", Set.of("user"));
    Map<String, Long> afterPartialRead = server.commandCounts();

    // Commands a script runs are counted too; what the client sent is the one evalsha.
    Map<String, Long> updateCommands = RedisTestServer.delta(beforeUpdate, afterUpdate);
    assertThat(updateCommands)
        .containsEntry("evalsha", 1L)
        .doesNotContainKeys("eval", "multi", "watch", "get", "hgetall");
    assertThat(RedisTestServer.delta(afterUpdate, afterRead))
        .containsOnly(Map.entry("hgetall", 1L));
    assertThat(RedisTestServer.delta(afterRead, afterPartialRead))
        .containsOnly(Map.entry("hmget", 1L));
  }

  @Test
  void aFlushedScriptCacheIsReloadedOnce() {
    Namespace ns = Namespace.large("noscript");
    store.update(ns, "k", Update.builder().set("a", "1").build());
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(server.uri());
    try (var connection = client.connect()) {
      connection.sync().scriptFlush();
    } finally {
      client.shutdown();
    }

    store.update(ns, "k", Update.builder().set("a", "2").build());

    assertThat(store.read(ns, "k").orElseThrow().text("a")).hasValue("2");
  }

  @Test
  void smallNamespacesShareASlotAndLargeOnesSpread() {
    assertThat(new String(store.recordKey(Namespace.small("flags"), "new-checkout")))
        .isEqualTo("brownout:{flags}:r:new-checkout");
    assertThat(new String(store.recordKey(Namespace.large("sessions"), "abc")))
        .isEqualTo("brownout:sessions:{abc}");
  }

  @Test
  void anUnreachableServerFailsToConnectWithATypedError() {
    assertThatThrownBy(
            () ->
                RedisStateStore.builder()
                    .uri("redis://127.0.0.1:1")
                    .timeout(Duration.ofMillis(500))
                    .build())
        .isInstanceOf(StateUnavailableException.class)
        .hasMessageContaining("127.0.0.1:1");
  }

  @Test
  void aLazyStoreBuildsWhileRedisIsDownAndConnectsOnceItAnswers() {
    try (RedisTestServer later = new RedisTestServer()) {
      later.stop();
      try (RedisStateStore lazy =
          RedisStateStore.builder()
              .uri(later.uri())
              .timeout(Duration.ofMillis(500))
              .connectLazily()
              .build()) {
        Namespace ns = Namespace.large("lazy");
        assertThatThrownBy(() -> lazy.read(ns, "k"))
            .isInstanceOf(StateUnavailableException.class)
            .hasMessageContaining(Integer.toString(later.port()));

        later.start();
        lazy.update(ns, "k", Update.builder().set("a", "1").build());
        assertThat(lazy.read(ns, "k").orElseThrow().text("a")).hasValue("1");
      }
    }
  }

  @Test
  void onlyRedisUrisAreAccepted() {
    assertThatThrownBy(() -> RedisStateStore.builder().uri("http://localhost:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis://");
  }
}
