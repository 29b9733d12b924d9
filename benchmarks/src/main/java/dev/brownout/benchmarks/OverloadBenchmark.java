package dev.brownout.benchmarks;

import com.netflix.concurrency.limits.Limiter;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limiter.SimpleLimiter;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.degrade.ConcurrencyLimit;
import dev.brownout.degrade.ConcurrencyLimiter;
import dev.brownout.degrade.Priority;
import dev.brownout.degrade.Resilience;
import dev.brownout.state.InMemoryStateStore;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-call cost of admitting a call under a concurrency limit and releasing it: Brownout's
 * adaptive {@link ConcurrencyLimiter} (by hand, and as {@code @ConcurrencyLimit} on a guarded
 * proxy), Netflix concurrency-limits' {@code SimpleLimiter} with its Gradient2 and Vegas limits,
 * and Resilience4j's semaphore bulkhead (a fixed limit), around the same trivial call that never
 * reaches a limit. The target is Brownout's limiter within the cheaper peer's time + 30 ns, 0 B/op.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar OverloadBenchmark -prof gc -rf json
 * -rff benchmarks/results/overload.json}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class OverloadBenchmark {
  /** The service. */
  public interface Prices {
    /** Under the limit. */
    @ConcurrencyLimit("prices")
    String price(String sku);
  }

  /** Answers at once. */
  public static final class FixedPrices implements Prices {
    @Override
    public String price(String sku) {
      return sku;
    }
  }

  private final Prices target = new FixedPrices();
  private ConcurrencyLimiter brownout;
  private Resilience resilience;
  private Prices brownoutProxy;
  private Limiter<Void> netflixGradient2;
  private Limiter<Void> netflixVegas;
  private Bulkhead bulkhead;
  private String sku;

  /** Builds them all. */
  @Setup
  public void setUp() {
    brownout = ConcurrencyLimiter.builder("prices").build();
    resilience = Resilience.builder(InMemoryStateStore.create()).concurrencyLimit("prices").build();
    brownoutProxy =
        GuardedProxies.builder().add(resilience.guards()).build().proxy(Prices.class, target);
    netflixGradient2 =
        SimpleLimiter.newBuilder()
            .limit(Gradient2Limit.newBuilder().initialLimit(20).build())
            .build();
    netflixVegas =
        SimpleLimiter.newBuilder().limit(VegasLimit.newBuilder().initialLimit(20).build()).build();
    bulkhead =
        Bulkhead.of(
            "prices",
            BulkheadConfig.custom().maxConcurrentCalls(20).maxWaitDuration(Duration.ZERO).build());
    sku = "sku-" + System.nanoTime() % 10;
  }

  /** Releases the timeout threads. */
  @TearDown
  public void tearDown() {
    resilience.close();
  }

  /** The unprotected call, for reference. */
  @Benchmark
  public String direct() {
    return target.price(sku);
  }

  /** Brownout's limiter by hand: one permit, the call, its outcome. */
  @Benchmark
  public String brownoutLimiter() {
    long permit = brownout.tryAcquire(Priority.NORMAL);
    if (permit == ConcurrencyLimiter.REJECTED) {
      return "shed";
    }
    String price = target.price(sku);
    brownout.onSuccess(permit);
    return price;
  }

  /** Brownout's {@code @ConcurrencyLimit} on a guarded proxy. */
  @Benchmark
  public String brownoutProxy() {
    return brownoutProxy.price(sku);
  }

  /** Netflix concurrency-limits, SimpleLimiter with a Gradient2 limit. */
  @Benchmark
  public String netflixGradient2() {
    return netflix(netflixGradient2);
  }

  /** Netflix concurrency-limits, SimpleLimiter with a Vegas limit. */
  @Benchmark
  public String netflixVegas() {
    return netflix(netflixVegas);
  }

  private String netflix(Limiter<Void> limiter) {
    Optional<Limiter.Listener> listener = limiter.acquire(null);
    if (listener.isEmpty()) {
      return "shed";
    }
    String price = target.price(sku);
    listener.get().onSuccess();
    return price;
  }

  /** Resilience4j's semaphore bulkhead: a fixed limit, for comparison. */
  @Benchmark
  public String resilience4jBulkhead() {
    if (!bulkhead.tryAcquirePermission()) {
      return "shed";
    }
    String price = target.price(sku);
    bulkhead.onComplete();
    return price;
  }
}
