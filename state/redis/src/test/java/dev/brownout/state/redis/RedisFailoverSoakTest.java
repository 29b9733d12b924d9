package dev.brownout.state.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.Namespace;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.testservers.Await;
import dev.brownout.state.testservers.RedisClusterTestServer;
import dev.brownout.state.testservers.RedisProcess;
import dev.brownout.state.testservers.RedisSentinelTestServer;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The failover drill, run on purpose ({@code ./mvnw verify -Psoak}, which sets {@code
 * brownout.soak}): flag writes, session saves and browse-only reasons from several threads while
 * the primary is killed again and again, on Sentinel and on a Cluster, with and without {@code
 * durability.replicas=1}. It reports each traffic's unavailability window, the errors by type, and
 * how many acknowledged writes the failovers lost, into {@code target/figures.txt}.
 */
@EnabledIfSystemProperty(named = "brownout.soak", matches = "true")
class RedisFailoverSoakTest {
  static final Duration TIMEOUT = Duration.ofMillis(1500);
  static final int KILLS = 3;

  /** One kind of traffic: who writes what, and what it saw. */
  static final class Traffic {
    final String name;
    final Namespace namespace;
    final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    final Map<String, Integer> errors = new ConcurrentHashMap<>();

    /** Since when this thread's writes have failed, 0 while they succeed. */
    final ThreadLocal<long[]> failingSince = ThreadLocal.withInitial(() -> new long[1]);

    final List<Long> windows = new ArrayList<>();

    Traffic(String name, Namespace namespace) {
      this.name = name;
      this.namespace = namespace;
    }

    void write(StateStore store, String key, long value) {
      try {
        store.update(namespace, key, Update.builder().set("v", Long.toString(value)).build());
        acknowledged.merge(key, value, Math::max);
        long[] since = failingSince.get();
        if (since[0] != 0) {
          synchronized (windows) {
            windows.add(System.nanoTime() - since[0]);
          }
          since[0] = 0;
        }
      } catch (StateUnavailableException e) {
        long[] since = failingSince.get();
        if (since[0] == 0) {
          since[0] = System.nanoTime();
        }
        errors.merge(Failover.kind(e), 1, Integer::sum);
      }
    }

    /** Acknowledged writes whose value is no longer there (the record behind or gone). */
    long lost(StateStore store) {
      long lost = 0;
      for (Map.Entry<String, Long> entry : acknowledged.entrySet()) {
        long now =
            store
                .read(namespace, entry.getKey())
                .flatMap(record -> record.text("v"))
                .map(Long::parseLong)
                .orElse(-1L);
        if (now < entry.getValue()) {
          lost++;
        }
      }
      return lost;
    }

    String report(StateStore store) {
      List<Long> sorted;
      synchronized (windows) {
        sorted = new ArrayList<>(windows);
      }
      sorted.sort(null);
      // A window is one writer thread's run of failures, from its first to its next success.
      return name
          + ": longest unavailable "
          + (sorted.isEmpty() ? "never" : sorted.get(sorted.size() - 1) / 1_000_000 + " ms")
          + " ("
          + sorted.stream().filter(n -> n > 100_000_000L).count()
          + " windows over 100 ms)"
          + ", errors "
          + new TreeMap<>(errors)
          + ", acknowledged keys "
          + acknowledged.size()
          + ", lost "
          + lost(store);
    }
  }

  /** A store, once one connects: right after a failover the first tries may not. */
  private static StateStore open(Supplier<StateStore> stores) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        return stores.get();
      } catch (StateUnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  private void drill(String setup, Supplier<StateStore> stores, Runnable killAndRecover)
      throws Exception {
    List<Traffic> traffic =
        List.of(
            new Traffic("flag writes", Namespace.small("soak-flags")),
            new Traffic("session saves", Namespace.large("soak-sessions")),
            new Traffic("browse-only reasons", Namespace.small("soak-reasons")));
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong counter = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(6);
    List<StateStore> opened = new ArrayList<>();
    try {
      for (int t = 0; t < 6; t++) {
        StateStore store = open(stores);
        opened.add(store);
        Traffic kind = traffic.get(t % traffic.size());
        int thread = t;
        pool.submit(
            () -> {
              while (running.get()) {
                String key =
                    kind.namespace.small()
                        ? "k" + (counter.get() % 20)
                        : "s" + thread + "-" + (counter.get() % 200);
                kind.write(store, key, counter.incrementAndGet());
                try {
                  TimeUnit.MILLISECONDS.sleep(5);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
      }
      TimeUnit.SECONDS.sleep(2);
      for (int kill = 0; kill < KILLS; kill++) {
        killAndRecover.run();
        TimeUnit.SECONDS.sleep(2);
      }
    } finally {
      running.set(false);
      pool.shutdown();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
    try (StateStore checker = open(stores)) {
      for (Traffic kind : traffic) {
        Failover.figure(setup + " soak, " + KILLS + " primary kills: " + kind.report(checker));
        assertThat(kind.acknowledged).as(kind.name + " wrote").isNotEmpty();
      }
    } finally {
      opened.forEach(StateStore::close);
    }
  }

  @Test
  void sentinelFailoversUnderTraffic() throws Exception {
    try (RedisSentinelTestServer redis = RedisSentinelTestServer.start()) {
      Runnable kill =
          () -> {
            RedisProcess killed = redis.killPrimary();
            awaitReplaced(() -> redis.primary() != killed);
            killed.start();
            redis.awaitHealthy();
          };
      drill(
          "sentinel",
          () -> RedisStateStore.builder().uri(redis.uri()).timeout(TIMEOUT).build(),
          kill);
      drill(
          "sentinel durability.replicas=1",
          () ->
              RedisStateStore.builder()
                  .uri(redis.uri())
                  .timeout(TIMEOUT)
                  .durability(1, Duration.ofMillis(500))
                  .build(),
          kill);
    }
  }

  @Test
  void clusterFailoversUnderTraffic() throws Exception {
    try (RedisClusterTestServer cluster = RedisClusterTestServer.start()) {
      int flagsSlot = SlotHash.getSlot("brownout:{soak-flags}:r:k1");
      Runnable kill =
          () -> {
            RedisProcess killed = cluster.primaryOf(flagsSlot);
            killed.kill();
            awaitReplaced(() -> cluster.primaryOf(flagsSlot) != killed);
            killed.start();
            cluster.awaitHealthy();
          };
      drill(
          "cluster",
          () -> RedisStateStore.builder().uri(cluster.uri()).timeout(TIMEOUT).build(),
          kill);
      drill(
          "cluster durability.replicas=1",
          () ->
              RedisStateStore.builder()
                  .uri(cluster.uri())
                  .timeout(TIMEOUT)
                  .durability(1, Duration.ofMillis(500))
                  .build(),
          kill);
    }
  }

  private static void awaitReplaced(Supplier<Boolean> condition) {
    Await.until(
        "the primary to be replaced",
        Duration.ofSeconds(60),
        Duration.ofMillis(50),
        () -> {
          try {
            return condition.get();
          } catch (RuntimeException e) {
            return false;
          }
        });
  }
}
