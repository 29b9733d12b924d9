package dev.brownout.state.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.Namespace;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.Watch;
import dev.brownout.state.testkit.NetworkFaults;
import dev.brownout.state.testkit.StateStoreContract;
import dev.brownout.state.testservers.RedisProcess;
import dev.brownout.state.testservers.RedisSentinelTestServer;
import dev.brownout.state.testservers.RespClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract on a primary with a replica behind three sentinels, started for this class. Clients
 * find the primary through the sentinels; stopping the server stops both data servers.
 *
 * <p>Two sets of servers: the contract runs on one whose data servers sit behind fault proxies,
 * known to the sentinels by the proxies' addresses, so that the outage tests break the network
 * between the primary and its clients (and its sentinels, as a partition would); those sentinels
 * wait Redis's default 30 seconds before calling a primary down, so no fault the contract makes
 * turns into a failover. The failover tests of this class run on a set without proxies whose
 * sentinels call a primary down after one second.
 */
class RedisSentinelStateStoreTest extends StateStoreContract {
  static final Duration TIMEOUT = Duration.ofMillis(1500);
  static final Duration KEEPALIVE = Duration.ofMillis(500);
  private static RedisSentinelTestServer redis;
  private static RedisSentinelTestServer proxied;
  private final List<StateStore> failoverStores = new ArrayList<>();

  /** The set the failover tests kill primaries of. */
  static synchronized RedisSentinelTestServer redis() {
    if (redis == null) {
      redis = warmedUp(RedisSentinelTestServer.start());
    }
    return redis;
  }

  /** The set behind fault proxies that the contract runs on. */
  static synchronized RedisSentinelTestServer proxied() {
    if (proxied == null) {
      proxied = warmedUp(RedisSentinelTestServer.withProxies());
    }
    return proxied;
  }

  /**
   * {@code redis}, once a client has connected to it with time to spare: the first client in a JVM
   * loads Lettuce's and Netty's classes, which on a busy machine takes longer than the tests' 1.5
   * second timeout (seconds, against a tenth of one once loaded).
   */
  private static RedisSentinelTestServer warmedUp(RedisSentinelTestServer redis) {
    RedisStateStore.builder().uri(redis.uri()).timeout(Duration.ofSeconds(20)).build().close();
    return redis;
  }

  /**
   * After the JUnit tests, and again after jqwik's property (its engine runs after JUnit's and
   * starts the servers again on first use).
   */
  @AfterAll
  @AfterContainer
  static void stopAfterAll() {
    if (redis != null) {
      redis.close();
      redis = null;
    }
    if (proxied != null) {
      proxied.close();
      proxied = null;
    }
  }

  @AfterEach
  void closeFailoverStores() {
    failoverStores.forEach(StateStore::close);
    failoverStores.clear();
  }

  /** Every client finds the primary through the sentinels, which point it at the proxies. */
  @Override
  protected StateStore openStore() {
    return RedisStateStore.builder()
        .uri(proxied().uri())
        .timeout(TIMEOUT)
        .keepalive(KEEPALIVE)
        .build();
  }

  @Override
  protected Optional<NetworkFaults> networkFaults() {
    return Optional.of(new ProxiedNetwork(proxied().proxies()));
  }

  @Override
  protected boolean canStopServer() {
    return true;
  }

  @Override
  protected void stopServer() {
    proxied().servers().forEach(RedisProcess::kill);
  }

  @Override
  protected void startServer() {
    proxied().servers().forEach(RedisProcess::start);
    proxied().awaitHealthy();
  }

  /** A client of the failover tests' set, closed after the test. */
  private StateStore failoverStore() {
    StateStore store =
        RedisStateStore.builder().uri(redis().uri()).timeout(TIMEOUT).keepalive(KEEPALIVE).build();
    failoverStores.add(store);
    return store;
  }

  @Override
  protected Duration operationTimeout() {
    return TIMEOUT;
  }

  @Test
  void aKilledPrimaryIsFollowedToThePromotedReplicaWithoutARestart() throws Exception {
    StateStore writer = failoverStore();
    StateStore reader = failoverStore();
    Namespace ns = Namespace.small("failover-" + System.nanoTime());
    Watchers watchers = new Watchers();
    Watch watch = reader.watch(ns, watchers);
    try {
      writer.update(ns, "before", Update.builder().set("a", "1").build());
      assertThat(watchers.next("before", Duration.ofSeconds(5))).isNotNull();
      RedisProcess replica = redis().replicas().get(0);
      awaitReplicated(replica, "before");

      RedisProcess killed = redis().killPrimary();
      long killedAt = System.nanoTime();
      Failover.Window window =
          Failover.writesResume(
              writer, ns, "after", killedAt, Duration.ofSeconds(60), TIMEOUT.multipliedBy(3));
      Failover.figure("sentinel failover: " + window);

      assertThat(redis().primary()).isSameAs(replica);
      assertThat(writer.read(ns, "before")).as("replicated before the kill").isPresent();
      assertThat(reader.read(ns, "after")).isPresent();
      // The watch connection was on the killed primary: its watchers must resynchronise, and
      // hear changes made on the new one.
      awaitTrue(
          "the watcher to resynchronise", Duration.ofSeconds(30), () -> watchers.resyncs.get() > 0);
      awaitTrue(
          "a change on the new primary to reach the watcher",
          Duration.ofSeconds(30),
          () -> {
            writer.update(ns, "later", Update.builder().set("a", "1").build());
            try {
              return watchers.next("later", Duration.ofMillis(500)) != null;
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return false;
            }
          });

      killed.start();
      redis().awaitHealthy();
      assertThat(redis().primary()).as("the old primary rejoins as a replica").isSameAs(replica);
    } finally {
      watch.close();
    }
  }

  @Test
  void acknowledgedWritesAreLostInAFailoverUnlessTheyWaitForAReplica() throws Exception {
    // The replica freezes and is cut off, so it receives nothing more; the primary dies; the
    // replica wakes and is promoted. Whatever the primary acknowledged meanwhile is gone, unless
    // writes waited for it.
    Drill plain = drill(failoverStore(), 8);
    Drill durable =
        drill(
            RedisStateStore.builder()
                .uri(redis().uri())
                .timeout(TIMEOUT)
                .keepalive(KEEPALIVE)
                .durability(1, Duration.ofMillis(300))
                .build(),
            4);
    Failover.figure("sentinel lost writes without durability: " + plain);
    Failover.figure("sentinel lost writes with durability.replicas=1: " + durable);

    assertThat(plain.acknowledged()).as("the primary acknowledged every write").isEqualTo(8);
    assertThat(plain.lost()).as("all acknowledged writes were lost").isEqualTo(8);
    assertThat(durable.acknowledged()).as("no write was acknowledged without a replica").isZero();
    assertThat(durable.lost()).isZero();
    assertThat(durable.refused())
        .as("each write said why it was not acknowledged")
        .allSatisfy(message -> assertThat(message).contains("only 0 of the 1 replicas"));
  }

  record Drill(int acknowledged, int lost, List<String> refused) {
    @Override
    public String toString() {
      return acknowledged
          + " acknowledged, "
          + lost
          + " of them lost, "
          + refused.size()
          + " refused";
    }
  }

  private Drill drill(StateStore store, int writes) throws Exception {
    try (store) {
      Namespace ns = Namespace.small("drill-" + System.nanoTime());
      store.update(ns, "warm", Update.builder().set("a", "1").build());
      RedisProcess replica = redis().replicas().get(0);
      awaitReplicated(replica, "warm");
      List<String> acknowledged = new ArrayList<>();
      List<String> refused = new ArrayList<>();
      // Frozen, and cut off: the primary drops the replication link (a paused process would still
      // receive into its socket buffer what the primary sends), so the replica misses what
      // follows, as across a partition.
      replica.pause();
      RespClient.call(redis().primary().port(), "CLIENT", "KILL", "TYPE", "replica");
      try {
        for (int i = 0; i < writes; i++) {
          try {
            store.update(ns, "k" + i, Update.builder().set("a", "1").build());
            acknowledged.add("k" + i);
          } catch (StateUnavailableException e) {
            refused.add(e.getMessage());
          }
        }
      } finally {
        RedisProcess killed = redis().killPrimary();
        replica.resume();
        // Once the sentinels promoted the replica, back as its replica, so a durable write has a
        // replica to wait for (started sooner, it could come back before they saw it die).
        awaitTrue(
            "the sentinels to promote the replica",
            Duration.ofSeconds(60),
            () -> redis().primary() == replica);
        killed.start();
        redis().awaitHealthy();
        Failover.writesResume(
            store, ns, "after", System.nanoTime(), Duration.ofSeconds(60), TIMEOUT.multipliedBy(3));
      }
      int lost = 0;
      for (String key : acknowledged) {
        if (store.read(ns, key).isEmpty()) {
          lost++;
        }
      }
      return new Drill(acknowledged.size(), lost, refused);
    }
  }

  /** Waits until {@code replica} has the record {@code key} of some drill namespace. */
  private static void awaitReplicated(RedisProcess replica, String key) throws Exception {
    awaitTrue(
        "the replica to have " + key,
        Duration.ofSeconds(10),
        () -> !RespClient.call(replica.port(), "KEYS", "brownout:{*}:r:" + key).isEmpty());
  }
}
