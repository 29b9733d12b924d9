package dev.brownout.state.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.Namespace;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.Watch;
import dev.brownout.state.testkit.NetworkFaults;
import dev.brownout.state.testkit.StateStoreContract;
import dev.brownout.state.testservers.RedisClusterTestServer;
import dev.brownout.state.testservers.RedisProcess;
import dev.brownout.state.testservers.RespClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The contract on a real Redis Cluster (three primaries, a replica each), started for this class,
 * every node behind a fault proxy that it announces to clients.
 */
class RedisClusterStateStoreTest extends StateStoreContract {
  static final Duration TIMEOUT = Duration.ofMillis(1500);
  static final Duration KEEPALIVE = Duration.ofMillis(500);
  private static RedisClusterTestServer cluster;

  private static synchronized RedisClusterTestServer cluster() {
    if (cluster == null) {
      cluster = RedisClusterTestServer.withProxies(1);
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

  @Test
  void aRecordsKeysShareASlotAndLargeNamespacesSpreadOverEveryPrimary() {
    try (RedisStateStore store = (RedisStateStore) openStore()) {
      Namespace flags = Namespace.small("flags");
      int slot = SlotHash.getSlot(store.recordKey(flags, "new-checkout"));
      assertThat(SlotHash.getSlot(store.recordKey(flags, "dark-mode"))).isEqualTo(slot);
      Set<Integer> primaries = new HashSet<>();
      for (int i = 0; i < 64; i++) {
        int sessionSlot = SlotHash.getSlot(store.recordKey(Namespace.large("sessions"), "s" + i));
        primaries.add(cluster().primaryOf(sessionSlot).port());
      }
      assertThat(primaries).as("sessions spread over the three primaries").hasSize(3);
    }
  }

  @Test
  void aChangeIsPublishedToEveryNodeAndReachesWatchersQuickly() throws Exception {
    // Whatever node a watcher's connection is on, it hears the change: subscribe on each node
    // directly, and on the store's own watch.
    Namespace ns = Namespace.small("spread-" + System.nanoTime());
    List<RedisClient> clients = new ArrayList<>();
    List<BlockingQueue<String>> perNode = new ArrayList<>();
    try (RedisStateStore writer = (RedisStateStore) openStore();
        RedisStateStore reader = (RedisStateStore) openStore()) {
      for (RedisProcess node : cluster().processes()) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + node.port());
        clients.add(client);
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        perNode.add(messages);
        StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub();
        subscriber.addListener(
            new RedisPubSubAdapter<>() {
              @Override
              public void message(String channel, String message) {
                messages.add(message);
              }
            });
        subscriber.sync().subscribe("brownout:watch:" + ns.name());
      }
      Watchers watchers = new Watchers();
      Watch watch = reader.watch(ns, watchers);
      try {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          long start = System.nanoTime();
          writer.update(ns, "flag", Update.builder().set("on", Integer.toString(i % 2)).build());
          Watchers.Heard heard = watchers.next("flag", Duration.ofSeconds(5));
          assertThat(heard).as("flip " + i + " reached the watcher").isNotNull();
          delays.add(heard.nanos() - start);
        }
        Failover.figure(
            "cluster flag flip propagation to a watcher: " + Failover.percentiles(delays));
        for (int node = 0; node < perNode.size(); node++) {
          String message = perNode.get(node).poll(5, TimeUnit.SECONDS);
          assertThat(message)
              .as("node " + cluster().processes().get(node) + " published the change too")
              .endsWith(" flag");
        }
      } finally {
        watch.close();
      }
    } finally {
      clients.forEach(RedisClient::shutdown);
    }
  }

  @Test
  void replicaReadsAreOptInAndServedByReplicas() throws Exception {
    try (RedisStateStore store = (RedisStateStore) openStore()) {
      Namespace ns = Namespace.small("replicas-" + System.nanoTime());
      store.update(ns, "k", Update.builder().set("a", "1").build());
      long before = replicaReads();
      for (int i = 0; i < 20; i++) {
        assertThat(store.read(ns, "k")).isPresent();
      }
      assertThat(replicaReads()).as("plain reads stay on the primary").isEqualTo(before);

      StateStore stale = store.replicaReads();
      awaitTrue(
          "a replica to serve the record",
          Duration.ofSeconds(10),
          () -> stale.read(ns, "k").isPresent() && stale.list(ns).size() == 1);
      assertThat(replicaReads()).as("replica reads went to replicas").isGreaterThan(before);
    }
  }

  /** Read commands the replicas have served, from their {@code INFO commandstats}. */
  private static long replicaReads() {
    long reads = 0;
    for (RedisProcess node : cluster().processes()) {
      if (RespClient.call(node.port(), "INFO", "replication").contains("role:slave")) {
        for (String line : RespClient.call(node.port(), "INFO", "commandstats").split("\\r?\\n")) {
          if (line.startsWith("cmdstat_hgetall:") || line.startsWith("cmdstat_smembers:")) {
            String calls = line.substring(line.indexOf("calls=") + 6);
            reads += Long.parseLong(calls.substring(0, calls.indexOf(',')));
          }
        }
      }
    }
    return reads;
  }

  @Test
  void aKilledPrimaryIsReplacedByItsReplicaAndWritesResumeWithoutARestart() throws Exception {
    StateStore writer = store();
    StateStore reader = store();
    Namespace ns = Namespace.small("failover-" + System.nanoTime());
    Watchers watchers = new Watchers();
    Watch watch = reader.watch(ns, watchers);
    try {
      writer.update(ns, "before", Update.builder().set("a", "1").build());
      assertThat(watchers.next("before", Duration.ofSeconds(5))).isNotNull();
      int slot = SlotHash.getSlot(((RedisStateStore) writer).recordKey(ns, "before"));
      RedisProcess primary = cluster().primaryOf(slot);

      primary.kill();
      long killedAt = System.nanoTime();
      Failover.Window window =
          Failover.writesResume(
              writer, ns, "after", killedAt, Duration.ofSeconds(60), TIMEOUT.multipliedBy(3));
      Failover.figure("cluster failover of a primary: " + window);

      assertThat(cluster().primaryOf(slot)).isNotSameAs(primary);
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
    } finally {
      watch.close();
      cluster().processes().forEach(RedisProcess::start);
      cluster().awaitHealthy();
    }
  }

  @Test
  void aWatcherWhoseNodeIsKilledIsToldToResyncAndHearsLaterChanges() throws Exception {
    StateStore writer = store();
    StateStore reader = store();
    Namespace ns = Namespace.small("deaf-" + System.nanoTime());
    Watchers watchers = new Watchers();
    Watch watch = reader.watch(ns, watchers);
    RedisProcess subscribed = null;
    try {
      writer.update(ns, "before", Update.builder().set("a", "1").build());
      assertThat(watchers.next("before", Duration.ofSeconds(5))).isNotNull();
      for (RedisProcess node : cluster().processes()) {
        if (RespClient.call(node.port(), "CLIENT", "LIST", "TYPE", "pubsub").contains("sub=1")) {
          subscribed = node;
        }
      }
      assertThat(subscribed).as("the node the watch connection is on").isNotNull();

      subscribed.kill();

      awaitTrue(
          "the watcher to resynchronise", Duration.ofSeconds(30), () -> watchers.resyncs.get() > 0);
      awaitTrue(
          "a change after the kill to reach the watcher",
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
    } finally {
      watch.close();
      cluster().processes().forEach(RedisProcess::start);
      cluster().awaitHealthy();
    }
  }
}
