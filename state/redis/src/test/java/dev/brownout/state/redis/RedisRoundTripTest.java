package dev.brownout.state.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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

  static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> delta = new HashMap<>();
    after.forEach(
        (command, calls) -> {
          long change = calls - before.getOrDefault(command, 0L);
          if (change > 0
              && !command.equals("info")
              && !command.equals("hello")
              && !command.equals("client")) {
            delta.put(command, change);
          }
        });
    return delta;
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
    Map<String, Long> updateCommands = delta(beforeUpdate, afterUpdate);
    assertThat(updateCommands)
        .containsEntry("evalsha", 1L)
        .doesNotContainKeys("eval", "multi", "watch", "get", "hgetall");
    assertThat(delta(afterUpdate, afterRead)).containsOnly(Map.entry("hgetall", 1L));
    assertThat(delta(afterRead, afterPartialRead)).containsOnly(Map.entry("hmget", 1L));
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
  void onlyRedisUrisAreAccepted() {
    assertThatThrownBy(() -> RedisStateStore.builder().uri("http://localhost:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis://");
  }
}
