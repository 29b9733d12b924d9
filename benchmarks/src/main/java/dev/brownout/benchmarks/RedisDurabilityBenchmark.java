package dev.brownout.benchmarks;

import dev.brownout.state.Namespace;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import dev.brownout.state.redis.RedisStateStore;
import dev.brownout.state.testservers.RedisSentinelTestServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code brownout.state.redis.durability.replicas=1} costs a write: a flag write (a small
 * namespace, 100 bytes) on a primary with one replica, reported done when the primary has it, or
 * only once the replica has it too ({@code WAIT 1}). Both servers are redis-server processes on
 * loopback started by the benchmark (a primary, a replica and three sentinels, as the tests use
 * them), so the figure is the cost of the extra round trip to the replica on one machine, the least
 * it can be; across availability zones add their round trip.
 *
 * <p>Run: {@code benchmarks/run RedisDurabilityBenchmark redis-durability} (writes {@code
 * benchmarks/results/redis-durability.json}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class RedisDurabilityBenchmark {
  private static final Namespace FLAGS = Namespace.small("bench-durable-flags");

  /** How many replicas a write waits for. */
  @Param({"0", "1"})
  public int replicas;

  private RedisSentinelTestServer redis;
  private RedisStateStore store;
  private Update on;
  private Update off;
  private boolean flip;

  /** Starts the primary, its replica and the sentinels, and a store on the primary. */
  @Setup
  public void start() {
    redis = RedisSentinelTestServer.start();
    RedisStateStore.Builder builder =
        RedisStateStore.builder().uri(redis.primaryUri()).timeout(Duration.ofSeconds(2));
    if (replicas > 0) {
      builder.durability(replicas, Duration.ofMillis(500));
    }
    store = builder.build();
    on = Update.builder().set("definition", new byte[100]).set("on", "true").build();
    off = Update.builder().set("definition", new byte[100]).set("on", "false").build();
  }

  /** Stops the store and the servers. */
  @TearDown
  public void stop() {
    store.close();
    redis.close();
  }

  /** One flag write from one caller. */
  @Benchmark
  public WriteResult flagWrite() {
    flip = !flip;
    return store.update(FLAGS, "new-checkout", flip ? on : off);
  }

  /** Flag writes from eight callers at once: WAIT covers every write before it on the link. */
  @Benchmark
  @Threads(8)
  public WriteResult flagWrite8Threads() {
    return store.update(FLAGS, "k" + Thread.currentThread().getId(), on);
  }
}
