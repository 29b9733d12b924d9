package dev.brownout.state.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.testkit.NetworkFaults;
import dev.brownout.state.testkit.StateStoreContract;
import dev.brownout.state.testservers.FaultProxy;
import dev.brownout.state.testservers.RedisTestServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The contract on a real Redis server, started for this class. */
class RedisStateStoreTest extends StateStoreContract {
  static final Duration TIMEOUT = Duration.ofMillis(1500);
  static final Duration KEEPALIVE = Duration.ofMillis(500);
  private static RedisTestServer server;
  private static FaultProxy proxy;

  private static synchronized RedisTestServer server() {
    if (server == null) {
      server = new RedisTestServer();
      proxy = FaultProxy.to(server.port());
    }
    return server;
  }

  /**
   * After the JUnit tests, and again after jqwik's property (its engine runs after JUnit's and
   * starts the servers again on first use).
   */
  @AfterAll
  @AfterContainer
  static void stopServerAfterAll() {
    if (server != null) {
      proxy.close();
      server.close();
      server = null;
    }
  }

  /** Every client connects through the proxy, so the outage tests can break the network. */
  @Override
  protected StateStore openStore() {
    server();
    return RedisStateStore.builder()
        .uri(proxy.uri("redis"))
        .timeout(TIMEOUT)
        .keepalive(KEEPALIVE)
        .build();
  }

  @Override
  protected Optional<NetworkFaults> networkFaults() {
    server();
    return Optional.of(new ProxiedNetwork(proxy));
  }

  @Override
  protected boolean canStopServer() {
    return true;
  }

  @Override
  protected void stopServer() {
    server().stop();
  }

  @Override
  protected void startServer() {
    server().start();
  }

  @Override
  protected Duration operationTimeout() {
    return TIMEOUT;
  }

  @Test
  void shardedPubSubAskedOfRedis6IsRefusedNamingTheSetting() {
    // The embedded server is 6.2, which has no sharded pub/sub; auto would choose classic.
    server();
    assertThatThrownBy(
            () ->
                RedisStateStore.builder()
                    .uri(server().uri())
                    .timeout(TIMEOUT)
                    .pubSub(RedisConfig.PubSub.SHARDED)
                    .build())
        .isInstanceOf(StateUnavailableException.class)
        .hasMessageContaining("brownout.state.redis.pubsub is sharded, which needs Redis 7")
        .hasMessageContaining("runs Redis 6.");
  }

  @Test
  void anUpdateOfThousandsOfFieldsIsSplitIntoChunksAndKeepsTheSizeExact() {
    // The update script passes names to Redis in chunks beyond ~990 arguments (Lua's C stack):
    // 2 500 fields set, then 1 200 changed and 1 200 removed in one update.
    Namespace ns = Namespace.large("many-fields");
    Instant expiry = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
    try (StateStore store = openStore()) {
      Update.Builder create = Update.builder().precondition(Precondition.absent()).expireAt(expiry);
      for (int i = 0; i < 2500; i++) {
        create.set("name-" + i, "value-" + i);
      }
      long version = store.update(ns, "big", create.build()).version();

      Update.Builder change =
          Update.builder().precondition(Precondition.versionEquals(version)).expireAt(expiry);
      for (int i = 0; i < 1200; i++) {
        change.set("name-" + i, "changed-" + i);
      }
      for (int i = 1200; i < 2400; i++) {
        change.remove("name-" + i);
      }
      store.update(ns, "big", change.build());

      StateRecord record = store.read(ns, "big").orElseThrow();
      assertThat(record.fieldNames()).hasSize(1300);
      assertThat(record.text("name-0")).contains("changed-0");
      assertThat(record.text("name-1199")).contains("changed-1199");
      assertThat(record.field("name-1200")).isEmpty();
      assertThat(record.field("name-2399")).isEmpty();
      assertThat(record.text("name-2400")).contains("value-2400");
      assertThat(record.expiresAt()).contains(expiry);

      RedisClient client = RedisClient.create(server().uri());
      try (StatefulRedisConnection<String, String> raw = client.connect()) {
        String key =
            new String(((RedisStateStore) store).recordKey(ns, "big"), StandardCharsets.UTF_8);
        assertThat(Long.parseLong(raw.sync().hget(key, "_s"))).isEqualTo(record.size());
      } finally {
        client.shutdown();
      }
    }
  }
}
