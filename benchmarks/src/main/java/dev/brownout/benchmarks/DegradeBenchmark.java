package dev.brownout.benchmarks;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.degrade.CircuitBreaker;
import dev.brownout.degrade.DegradeConfig;
import dev.brownout.degrade.Resilience;
import dev.brownout.degrade.Retry;
import dev.brownout.state.InMemoryStateStore;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
 * The cost of protecting a successful call with a circuit breaker and a retry: Brownout's annotated
 * proxy ({@code @Retry} + {@code @CircuitBreaker}), the same Resilience4j decorators applied by
 * hand (bare, and with Resilience4j's Micrometer meters bound, as Brownout binds them by default:
 * their call timers listen to an event per call), and Failsafe's equivalent, around the same
 * trivial service. What is measured is the protection's overhead; the like-for-like row for
 * Brownout is the metered one.
 *
 * <p>Run: {@code benchmarks/run DegradeBenchmark degrade}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class DegradeBenchmark {
  /** The service. */
  public interface Prices {
    /** Protected by both. */
    @Retry("prices")
    @CircuitBreaker("prices")
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
  private Resilience resilience;
  private Prices brownout;
  private Resilience untimedResilience;
  private Prices brownoutUntimed;
  private Supplier<String> resilience4j;
  private Supplier<String> resilience4jMetered;
  private FailsafeExecutor<String> failsafe;
  private String sku;

  /** Builds the three. */
  @Setup
  public void setUp() {
    CircuitBreakerConfig breakerConfig =
        CircuitBreakerConfig.custom().slidingWindowSize(100).failureRateThreshold(50).build();
    RetryConfig retryConfig =
        RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(10)).build();
    resilience =
        Resilience.builder(InMemoryStateStore.create())
            .circuitBreaker("prices", breakerConfig)
            .retry("prices", retryConfig)
            .build();
    brownout =
        GuardedProxies.builder().add(resilience.guards()).build().proxy(Prices.class, target);
    // The same, with brownout.degrade.metrics.call-timers off: no meters, as the bare peers.
    untimedResilience =
        Resilience.builder(InMemoryStateStore.create())
            .config(BrownoutConfig.builder().set(DegradeConfig.CALL_TIMERS, false).build())
            .circuitBreaker("prices", breakerConfig)
            .retry("prices", retryConfig)
            .build();
    brownoutUntimed =
        GuardedProxies.builder()
            .add(untimedResilience.guards())
            .build()
            .proxy(Prices.class, target);

    io.github.resilience4j.circuitbreaker.CircuitBreaker breaker =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.of("prices", breakerConfig);
    io.github.resilience4j.retry.Retry retry =
        io.github.resilience4j.retry.Retry.of("prices", retryConfig);
    resilience4j =
        io.github.resilience4j.retry.Retry.decorateSupplier(
            retry,
            io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
                breaker, () -> target.price(sku)));

    // The same two, from registries whose meters are bound to a registry, as Brownout's are by
    // default (Resilience4j's call timers listen to every call's event).
    io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry meteredBreakers =
        io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry.of(breakerConfig);
    io.github.resilience4j.retry.RetryRegistry meteredRetries =
        io.github.resilience4j.retry.RetryRegistry.of(retryConfig);
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(
            meteredBreakers)
        .bindTo(meters);
    io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics.ofRetryRegistry(meteredRetries)
        .bindTo(meters);
    resilience4jMetered =
        io.github.resilience4j.retry.Retry.decorateSupplier(
            meteredRetries.retry("prices"),
            io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateSupplier(
                meteredBreakers.circuitBreaker("prices"), () -> target.price(sku)));

    failsafe =
        Failsafe.with(
            RetryPolicy.<String>builder()
                .withMaxAttempts(3)
                .withDelay(Duration.ofMillis(10))
                .build(),
            dev.failsafe.CircuitBreaker.<String>builder()
                .withFailureRateThreshold(50, 100, Duration.ofMinutes(1))
                .build());
    sku = "sku-" + System.nanoTime() % 10;
  }

  /** Releases the timeout threads. */
  @TearDown
  public void tearDown() {
    resilience.close();
    untimedResilience.close();
  }

  /** The unprotected call, for reference. */
  @Benchmark
  public String direct() {
    return target.price(sku);
  }

  /** Brownout's annotated proxy. */
  @Benchmark
  public String brownout() {
    return brownout.price(sku);
  }

  /** Brownout's annotated proxy, calls not timed (no meters, as the bare peers). */
  @Benchmark
  public String brownoutUntimed() {
    return brownoutUntimed.price(sku);
  }

  /** Resilience4j's decorators, by hand. */
  @Benchmark
  public String resilience4j() {
    return resilience4j.get();
  }

  /** Resilience4j's decorators, by hand, with their meters bound. */
  @Benchmark
  public String resilience4jMetered() {
    return resilience4jMetered.get();
  }

  /** Failsafe's retry policy and circuit breaker. */
  @Benchmark
  public String failsafe() {
    return failsafe.get(() -> target.price(sku));
  }
}
