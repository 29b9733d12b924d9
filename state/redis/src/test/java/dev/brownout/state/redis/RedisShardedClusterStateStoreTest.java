package dev.brownout.state.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.Watch;
import dev.brownout.state.testkit.NetworkFaults;
import dev.brownout.state.testkit.StateStoreContract;
import dev.brownout.state.testservers.RedisClusterTestServer;
import dev.brownout.state.testservers.RedisProcess;
import dev.brownout.state.testservers.RedisTestServer;
import dev.brownout.state.testservers.RespClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.SkipExecutionHook;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The contract on a Redis Cluster of Redis 7 (three primaries, a replica each, every node behind a
 * fault proxy that it announces), where a small namespace's changes go over sharded pub/sub; and
 * what sharded pub/sub changes: the channel is in the slot of the namespace's records, a change
 * travels to the nodes of that slot's shard only, and a watcher follows its shard's failover.
 *
 * <p>It needs a Redis 7 {@code redis-server} ({@link RedisProcess#redis7Binary()}: {@code
 * BROWNOUT_REDIS7_BINARY}, else {@code /usr/bin/redis-server} if it is 7 or later). Without one it
 * is skipped, unless {@code BROWNOUT_REQUIRE_REDIS7=true} (as CI sets it, after installing one),
 * and then it fails: sharded pub/sub is never silently untested there. jqwik's property is skipped
 * by {@link SkipWithoutRedis7}: to jqwik, an aborted try is a rejected sample, not a skip.
 */
@AddLifecycleHook(
    value = RedisShardedClusterStateStoreTest.SkipWithoutRedis7.class,
    propagateTo = PropagationMode.ALL_DESCENDANTS)
class RedisShardedClusterStateStoreTest extends StateStoreContract {
  static final Duration TIMEOUT = Duration.ofMillis(1500);
  static final Duration KEEPALIVE = Duration.ofMillis(500);
  static final String NO_REDIS7 =
      "no Redis 7 redis-server: "
          + RedisProcess.SYSTEM_BINARY
          + " is missing or older than 7, and "
          + RedisProcess.REDIS7_ENV
          + " names none";
  private static RedisClusterTestServer cluster;

  static boolean redis7Required() {
    return "true".equals(System.getenv("BROWNOUT_REQUIRE_REDIS7"));
  }

  /** The Redis 7 binary; skips the test, or fails it if one is required, when there is none. */
  static File redis7() {
    Optional<File> binary = RedisProcess.redis7Binary();
    if (binary.isPresent()) {
      return binary.get();
    }
    if (redis7Required()) {
      throw new AssertionError(
          "BROWNOUT_REQUIRE_REDIS7 is true but there is "
              + NO_REDIS7
              + "; install one (apt-get install redis-server) or name it with "
              + RedisProcess.REDIS7_ENV);
    }
    Assumptions.abort(
        NO_REDIS7
            + "; the sharded pub/sub tests need one (BROWNOUT_REQUIRE_REDIS7=true fails instead)");
    throw new AssertionError("unreachable");
  }

  /** Skips jqwik's property where {@link #redis7()} skips the JUnit tests. */
  static final class SkipWithoutRedis7 implements SkipExecutionHook {
    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
      return RedisProcess.redis7Binary().isEmpty() && !redis7Required()
          ? SkipResult.skip(NO_REDIS7)
          : SkipResult.doNotSkip();
    }
  }

  private static synchronized RedisClusterTestServer cluster() {
    if (cluster == null) {
      cluster = RedisClusterTestServer.withProxies(1, redis7());
      // The first client in a JVM loads Lettuce's and Netty's classes, which on a busy machine
      // takes longer than the tests' timeout.
      RedisStateStore.builder().uri(cluster.uri()).timeout(Duration.ofSeconds(20)).build().close();
    }
    return cluster;
  }

  /**
   * After the JUnit tests, and again after jqwik's property (its engine runs after JUnit's and
   * starts the servers again on first use).
   */
  @AfterAll
  @AfterContainer
  static void stopClusterAfterAll() {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  @Override
  protected StateStore openStore() {
    return RedisStateStore.builder()
        .uri(cluster().uri())
        .timeout(TIMEOUT)
        .keepalive(KEEPALIVE)
        .build();
  }

  @Override
  protected Optional<NetworkFaults> networkFaults() {
    return Optional.of(new ProxiedNetwork(cluster().proxies()));
  }

  @Override
  protected boolean canStopServer() {
    return true;
  }

  @Override
  protected void stopServer() {
    cluster().killAll();
  }

  @Override
  protected void startServer() {
    cluster().startAll();
  }

  @Override
  protected Duration operationTimeout() {
    return TIMEOUT;
  }

  static String shardChannel(Namespace ns) {
    return "brownout:{" + ns.name() + "}:watch";
  }

  static String classicChannel(Namespace ns) {
    return "brownout:watch:" + ns.name();
  }

  /** The second line of a two-element array reply ({@code PUBSUB SHARDNUMSUB ch}: its count). */
  static long count(String reply) {
    return Long.parseLong(reply.lines().toList().get(1).trim());
  }

  /**
   * A counter from {@code INFO commandstats} or {@code CLUSTER INFO} of the node on {@code port}.
   */
  static long stat(int port, String name, String... command) {
    for (String line : RespClient.call(port, command).split("\\r?\\n")) {
      if (line.startsWith(name + ":")) {
        String value = line.substring(name.length() + 1);
        int calls = value.indexOf("calls=");
        if (calls >= 0) {
          value = value.substring(calls + 6, value.indexOf(',', calls));
        }
        return Long.parseLong(value.trim());
      }
    }
    return 0;
  }

  static long commands(int port, String command) {
    return stat(port, "cmdstat_" + command, "INFO", "commandstats");
  }

  static long busMessages(int port, String kind) {
    return stat(port, "cluster_stats_messages_" + kind, "CLUSTER", "INFO");
  }

  @Test
  void aSmallNamespacesChangesGoOverShardedPubSubOnTheShardOfItsSlot() throws Exception {
    RedisStateStore writer = (RedisStateStore) store();
    StateStore reader = store();
    Namespace ns = Namespace.small("sharded-" + System.nanoTime());
    int slot = SlotHash.getSlot(shardChannel(ns));
    assertThat(SlotHash.getSlot(writer.recordKey(ns, "flag")))
        .as("the channel is in the slot of the namespace's records")
        .isEqualTo(slot);
    RedisProcess primary = cluster().primaryOf(slot);
    List<RedisProcess> replicas = cluster().replicasOf(slot);
    assertThat(replicas).as("the slot's shard has a replica").hasSize(1);
    RedisProcess replica = replicas.get(0);
    List<RedisProcess> elsewhere = new ArrayList<>(cluster().processes());
    elsewhere.remove(primary);
    elsewhere.remove(replica);

    Watchers watchers = new Watchers();
    Watch watch = reader.watch(ns, watchers);
    try {
      assertThat(count(RespClient.call(primary.port(), "PUBSUB", "SHARDNUMSUB", shardChannel(ns))))
          .as("the watch is a sharded subscription on the slot's primary")
          .isEqualTo(1);
      for (RedisProcess node : cluster().processes()) {
        assertThat(count(RespClient.call(node.port(), "PUBSUB", "NUMSUB", classicChannel(ns))))
            .as("no classic subscription on " + node)
            .isZero();
      }
      long spublished = commands(primary.port(), "spublish");
      List<Long> published = new ArrayList<>();
      List<Long> shardReceived = new ArrayList<>();
      for (RedisProcess node : cluster().processes()) {
        published.add(commands(node.port(), "publish"));
        shardReceived.add(busMessages(node.port(), "publishshard_received"));
      }

      int flips = 20;
      for (int i = 0; i < flips; i++) {
        writer.update(ns, "flag", Update.builder().set("on", Integer.toString(i % 2)).build());
        assertThat(watchers.next("flag", Duration.ofSeconds(5))).as("flip " + i).isNotNull();
      }
      writer.delete(ns, "flag", Precondition.none());
      assertThat(watchers.next("flag", Duration.ofSeconds(5))).as("the delete").isNotNull();

      assertThat(commands(primary.port(), "spublish") - spublished)
          .as("every write published with SPUBLISH on the slot's primary")
          .isEqualTo(flips + 1);
      // The primary sends each change to the other nodes of its shard over the cluster bus.
      int replicaAt = cluster().processes().indexOf(replica);
      awaitTrue(
          "the shard's replica to hear every change",
          Duration.ofSeconds(10),
          () ->
              busMessages(replica.port(), "publishshard_received") - shardReceived.get(replicaAt)
                  >= flips + 1);
      for (int i = 0; i < cluster().processes().size(); i++) {
        RedisProcess node = cluster().processes().get(i);
        assertThat(commands(node.port(), "publish"))
            .as("no classic PUBLISH on " + node)
            .isEqualTo(published.get(i));
        long received = busMessages(node.port(), "publishshard_received") - shardReceived.get(i);
        if (node == replica) {
          assertThat(received)
              .as("the shard's replica heard each change once")
              .isEqualTo(flips + 1);
        } else if (elsewhere.contains(node)) {
          assertThat(received).as(node + ", of another shard, heard none").isZero();
        }
      }
    } finally {
      watch.close();
    }
    awaitTrue(
        "the closed watch to unsubscribe",
        Duration.ofSeconds(5),
        () ->
            count(RespClient.call(primary.port(), "PUBSUB", "SHARDNUMSUB", shardChannel(ns))) == 0);
  }

  @Test
  void aFlagFlipReachesAWatcherOnAnotherClientAndTheShardsOtherNodeQuickly() throws Exception {
    // The store's watcher hears on the slot's primary, where the write ran; a subscriber on the
    // shard's replica shows how long the change takes to reach another node.
    Namespace ns = Namespace.small("spread-" + System.nanoTime());
    int slot = SlotHash.getSlot(shardChannel(ns));
    RedisProcess replica = cluster().replicasOf(slot).get(0);
    RedisClient client = RedisClient.create("redis://127.0.0.1:" + replica.port());
    try (RedisStateStore writer = (RedisStateStore) openStore();
        RedisStateStore reader = (RedisStateStore) openStore();
        StatefulRedisPubSubConnection<String, String> onReplica = client.connectPubSub()) {
      BlockingQueue<long[]> replicaHeard = new LinkedBlockingQueue<>();
      onReplica.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void smessage(String channel, String message) {
              replicaHeard.add(new long[] {System.nanoTime()});
            }
          });
      onReplica.sync().ssubscribe(shardChannel(ns));
      Watchers watchers = new Watchers();
      Watch watch = reader.watch(ns, watchers);
      try {
        List<Long> toWatcher = new ArrayList<>();
        List<Long> toReplica = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          long start = System.nanoTime();
          writer.update(ns, "flag", Update.builder().set("on", Integer.toString(i % 2)).build());
          Watchers.Heard heard = watchers.next("flag", Duration.ofSeconds(5));
          assertThat(heard).as("flip " + i + " reached the watcher").isNotNull();
          long[] atReplica = replicaHeard.poll(5, TimeUnit.SECONDS);
          assertThat(atReplica).as("flip " + i + " reached the shard's replica").isNotNull();
          toWatcher.add(heard.nanos() - start);
          toReplica.add(atReplica[0] - start);
        }
        Failover.figure(
            "redis 7 cluster, sharded pub/sub: flag flip to a watcher on another client: "
                + Failover.percentiles(toWatcher)
                + "; to a subscriber on the shard's replica: "
                + Failover.percentiles(toReplica));
      } finally {
        watch.close();
      }
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aWatcherWhoseShardFailsOverIsToldToResyncAndHearsLaterChanges() throws Exception {
    StateStore writer = store();
    StateStore reader = store();
    Namespace ns = Namespace.small("shard-failover-" + System.nanoTime());
    int slot = SlotHash.getSlot(shardChannel(ns));
    Watchers watchers = new Watchers();
    Watch watch = reader.watch(ns, watchers);
    RedisProcess primary = cluster().primaryOf(slot);
    try {
      writer.update(ns, "before", Update.builder().set("a", "1").build());
      assertThat(watchers.next("before", Duration.ofSeconds(5))).isNotNull();

      primary.kill();

      awaitTrue(
          "the watcher to resynchronise", Duration.ofSeconds(30), () -> watchers.resyncs.get() > 0);
      awaitTrue(
          "a change on the promoted primary to reach the watcher",
          Duration.ofSeconds(30),
          () -> {
            try {
              writer.update(ns, "later", Update.builder().set("a", "1").build());
              return watchers.next("later", Duration.ofMillis(500)) != null;
            } catch (StateUnavailableException e) {
              return false;
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return false;
            }
          });
      RedisProcess promoted = cluster().primaryOf(slot);
      assertThat(promoted).isNotSameAs(primary);
      assertThat(count(RespClient.call(promoted.port(), "PUBSUB", "SHARDNUMSUB", shardChannel(ns))))
          .as("the watch subscribed again on the promoted primary")
          .isEqualTo(1);
    } finally {
      watch.close();
      cluster().processes().forEach(RedisProcess::start);
      cluster().awaitHealthy();
    }
  }

  @Test
  void classicPubSubCanBeChosenOnRedis7() throws Exception {
    Namespace ns = Namespace.small("classic-" + System.nanoTime());
    int slot = SlotHash.getSlot(shardChannel(ns));
    RedisProcess primary = cluster().primaryOf(slot);
    try (StateStore writer = classic();
        StateStore reader = classic()) {
      Watchers watchers = new Watchers();
      Watch watch = reader.watch(ns, watchers);
      try {
        long spublished = commands(primary.port(), "spublish");
        long published = commands(primary.port(), "publish");
        writer.update(ns, "flag", Update.builder().set("on", "1").build());
        assertThat(watchers.next("flag", Duration.ofSeconds(5))).isNotNull();
        assertThat(commands(primary.port(), "publish") - published).isEqualTo(1);
        assertThat(commands(primary.port(), "spublish")).isEqualTo(spublished);
        long subscribed = 0;
        for (RedisProcess node : cluster().processes()) {
          subscribed += count(RespClient.call(node.port(), "PUBSUB", "NUMSUB", classicChannel(ns)));
          assertThat(count(RespClient.call(node.port(), "PUBSUB", "SHARDNUMSUB", shardChannel(ns))))
              .isZero();
        }
        assertThat(subscribed).as("one classic subscription, on some node").isEqualTo(1);
      } finally {
        watch.close();
      }
    }
  }

  private static StateStore classic() {
    return RedisStateStore.builder()
        .uri(cluster().uri())
        .timeout(TIMEOUT)
        .keepalive(KEEPALIVE)
        .pubSub(RedisConfig.PubSub.CLASSIC)
        .build();
  }

  @Test
  void shardedPubSubCanBeChosenOnOneRedis7ServerAndWatchersFollowItsRestart() throws Exception {
    File binary = redis7();
    RedisProcess server;
    try {
      int port = RedisTestServer.freePort();
      server =
          new RedisProcess(
              port,
              Files.createTempDirectory("brownout-redis7").resolve("server"),
              List.of("save \"\"", "appendonly no"),
              true,
              binary);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (StateStore writer = sharded(server);
        StateStore reader = sharded(server)) {
      Namespace ns = Namespace.small("one-" + System.nanoTime());
      Watchers watchers = new Watchers();
      Watch watch = reader.watch(ns, watchers);
      try {
        writer.update(ns, "before", Update.builder().set("a", "1").build());
        assertThat(watchers.next("before", Duration.ofSeconds(5))).isNotNull();
        assertThat(count(RespClient.call(server.port(), "PUBSUB", "SHARDNUMSUB", shardChannel(ns))))
            .isEqualTo(1);

        server.kill();
        server.start();

        awaitTrue(
            "the watcher to resynchronise",
            Duration.ofSeconds(30),
            () -> watchers.resyncs.get() > 0);
        awaitTrue(
            "a change after the restart to reach the watcher",
            Duration.ofSeconds(30),
            () -> {
              try {
                writer.update(ns, "later", Update.builder().set("a", "1").build());
                return watchers.next("later", Duration.ofMillis(500)) != null;
              } catch (StateUnavailableException e) {
                return false;
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
              }
            });
        assertThat(count(RespClient.call(server.port(), "PUBSUB", "SHARDNUMSUB", shardChannel(ns))))
            .as("subscribed again after the restart")
            .isEqualTo(1);
      } finally {
        watch.close();
      }
    } finally {
      server.close();
    }
  }

  private static StateStore sharded(RedisProcess server) {
    return RedisStateStore.builder()
        .uri("redis://127.0.0.1:" + server.port())
        .timeout(TIMEOUT)
        .keepalive(KEEPALIVE)
        .pubSub(RedisConfig.PubSub.SHARDED)
        .build();
  }
}
