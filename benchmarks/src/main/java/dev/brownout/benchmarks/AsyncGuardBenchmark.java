package dev.brownout.benchmarks;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.degrade.CircuitBreaker;
import dev.brownout.degrade.DegradeConfig;
import dev.brownout.degrade.Resilience;
import dev.brownout.degrade.Retry;
import dev.brownout.degrade.Timeout;
import dev.brownout.state.InMemoryStateStore;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
 * Guards on asynchronous and timed calls around a vendor that answers at once, so what is measured
 * is the protection's own cost:
 *
 * <ul>
 *   <li>{@code async*}: a call returning a {@code CompletionStage}, behind a circuit breaker and a
 *       retry that judge the future's outcome: Brownout's annotated proxy, Resilience4j's {@code
 *       decorateCompletionStage} with the same breaker and retry, Failsafe's {@code getStageAsync}
 *       with its retry policy and breaker;
 *   <li>{@code timedAsync*}: the same call with a one-second limit on the future: Brownout's
 *       {@code @Timeout}, Resilience4j's {@code TimeLimiter.executeCompletionStage}, Failsafe's
 *       {@code Timeout} policy asynchronously;
 *   <li>{@code timedSync*}: a blocking call with a one-second limit: Brownout's {@code @Timeout}
 *       (the call runs on a bounded timeout thread), Resilience4j's {@code TimeLimiter} around a
 *       future from an executor (its only way to limit a blocking call), Failsafe's {@code Timeout}
 *       policy, which runs the call on its own pool when a timeout is set.
 * </ul>
 *
 * Every row waits for the result, so the work after the call returns is counted too.
 *
 * <p>Run: {@code benchmarks/run AsyncGuardBenchmark async-guards} (writes {@code
 * benchmarks/results/async-guards.json}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class AsyncGuardBenchmark {
  private static final Duration LIMIT = Duration.ofSeconds(1);

  /** The vendor's client, as an application declares it. */
  public interface Quotes {
    /** Breaker and retry on the future's outcome. */
    @Retry("quotes")
    @CircuitBreaker("quotes")
    CompletionStage<String> quote(String sku);

    /** A limit on the future. */
    @Timeout("quotes")
    CompletionStage<String> timedQuote(String sku);

    /** A limit on a blocking call. */
    @Timeout("quotes")
    String blockingQuote(String sku);

    /** A limit on a future still pending when it is returned. */
    @Timeout("quotes")
    CompletionStage<String> pendingQuote(String sku);
  }

  /** Answers at once. */
  public static final class InstantQuotes implements Quotes {
    @Override
    public CompletionStage<String> quote(String sku) {
      return CompletableFuture.completedFuture(sku);
    }

    @Override
    public CompletionStage<String> timedQuote(String sku) {
      return CompletableFuture.completedFuture(sku);
    }

    @Override
    public String blockingQuote(String sku) {
      return sku;
    }

    // The future the next pendingQuote returns; the benchmark completes it after the call.
    CompletableFuture<String> next = new CompletableFuture<>();

    @Override
    public CompletionStage<String> pendingQuote(String sku) {
      return next;
    }
  }

  private final InstantQuotes target = new InstantQuotes();
  private Resilience resilience;
  private Quotes brownout;
  private Resilience untimedResilience;
  private Quotes brownoutUntimed;
  private Supplier<CompletionStage<String>> resilience4jAsync;
  private TimeLimiter timeLimiter;
  private ScheduledExecutorService scheduler;
  private ExecutorService executor;
  private FailsafeExecutor<String> failsafeAsync;
  private FailsafeExecutor<String> failsafeTimeout;
  private String sku;

  /** Builds the three libraries' guards with the same settings. */
  @Setup
  public void setUp() {
    CircuitBreakerConfig breakerConfig =
        CircuitBreakerConfig.custom().slidingWindowSize(100).failureRateThreshold(50).build();
    RetryConfig retryConfig =
        RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(10)).build();
    resilience =
        Resilience.builder(InMemoryStateStore.create())
            .circuitBreaker("quotes", breakerConfig)
            .retry("quotes", retryConfig)
            .timeout("quotes", LIMIT)
            .build();
    brownout =
        GuardedProxies.builder().add(resilience.guards()).build().proxy(Quotes.class, target);
    // The same, with brownout.degrade.metrics.call-timers off: no meters, as the peers' rows.
    untimedResilience =
        Resilience.builder(InMemoryStateStore.create())
            .config(BrownoutConfig.builder().set(DegradeConfig.CALL_TIMERS, false).build())
            .circuitBreaker("quotes", breakerConfig)
            .retry("quotes", retryConfig)
            .timeout("quotes", LIMIT)
            .build();
    brownoutUntimed =
        GuardedProxies.builder()
            .add(untimedResilience.guards())
            .build()
            .proxy(Quotes.class, target);

    // Cancelled deadlines leave its queue, as they leave Brownout's scheduler.
    ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1);
    deadlines.setRemoveOnCancelPolicy(true);
    scheduler = deadlines;
    executor = Executors.newCachedThreadPool();
    io.github.resilience4j.circuitbreaker.CircuitBreaker breaker =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.of("quotes", breakerConfig);
    io.github.resilience4j.retry.Retry retry =
        io.github.resilience4j.retry.Retry.of("quotes", retryConfig);
    resilience4jAsync =
        io.github.resilience4j.retry.Retry.decorateCompletionStage(
            retry,
            scheduler,
            io.github.resilience4j.circuitbreaker.CircuitBreaker.decorateCompletionStage(
                breaker, () -> target.quote(sku)));
    timeLimiter =
        TimeLimiter.of(
            TimeLimiterConfig.custom().timeoutDuration(LIMIT).cancelRunningFuture(true).build());

    failsafeAsync =
        Failsafe.with(
            RetryPolicy.<String>builder()
                .withMaxAttempts(3)
                .withDelay(Duration.ofMillis(10))
                .build(),
            dev.failsafe.CircuitBreaker.<String>builder()
                .withFailureRateThreshold(50, 100, Duration.ofMinutes(1))
                .build());
    failsafeTimeout = Failsafe.with(dev.failsafe.Timeout.<String>of(LIMIT));
    sku = "sku-" + System.nanoTime() % 10;
  }

  /** Releases the threads. */
  @TearDown
  public void tearDown() {
    resilience.close();
    untimedResilience.close();
    scheduler.shutdownNow();
    executor.shutdownNow();
  }

  /** Brownout: breaker and retry on a future. */
  @Benchmark
  public String asyncBrownout() {
    return brownout.quote(sku).toCompletableFuture().join();
  }

  /** Brownout: breaker and retry on a future, calls not timed (no meters, as the peers). */
  @Benchmark
  public String asyncBrownoutUntimed() {
    return brownoutUntimed.quote(sku).toCompletableFuture().join();
  }

  /** Resilience4j: breaker and retry by {@code decorateCompletionStage}. */
  @Benchmark
  public String asyncResilience4j() {
    return resilience4jAsync.get().toCompletableFuture().join();
  }

  /** Failsafe: retry policy and breaker, {@code getStageAsync}. */
  @Benchmark
  public String asyncFailsafe() {
    return failsafeAsync.getStageAsync(() -> target.quote(sku)).join();
  }

  /** Brownout: {@code @Timeout} on a future. */
  @Benchmark
  public String timedAsyncBrownout() {
    return brownout.timedQuote(sku).toCompletableFuture().join();
  }

  /**
   * Brownout: {@code @Timeout} on a future that is still pending when returned (the vendor answers
   * just after), so a deadline is scheduled and cancelled.
   */
  @Benchmark
  public String pendingTimedAsyncBrownout() {
    CompletableFuture<String> answer = new CompletableFuture<>();
    target.next = answer;
    CompletionStage<String> bounded = brownout.pendingQuote(sku);
    answer.complete(sku);
    return bounded.toCompletableFuture().join();
  }

  /** Resilience4j: {@code TimeLimiter.executeCompletionStage} on the same pending future. */
  @Benchmark
  public String pendingTimedAsyncResilience4j() {
    CompletableFuture<String> answer = new CompletableFuture<>();
    CompletionStage<String> bounded = timeLimiter.executeCompletionStage(scheduler, () -> answer);
    answer.complete(sku);
    return bounded.toCompletableFuture().join();
  }

  /** Resilience4j: {@code TimeLimiter.executeCompletionStage}. */
  @Benchmark
  public String timedAsyncResilience4j() {
    return timeLimiter
        .executeCompletionStage(scheduler, () -> target.timedQuote(sku))
        .toCompletableFuture()
        .join();
  }

  /** Failsafe: a {@code Timeout} policy, {@code getStageAsync}. */
  @Benchmark
  public String timedAsyncFailsafe() {
    return failsafeTimeout.getStageAsync(() -> target.timedQuote(sku)).join();
  }

  /** Brownout: {@code @Timeout} on a blocking call. */
  @Benchmark
  public String timedSyncBrownout() {
    return brownout.blockingQuote(sku);
  }

  /** Resilience4j: {@code TimeLimiter} around a future from an executor. */
  @Benchmark
  public String timedSyncResilience4j() throws Exception {
    return timeLimiter.executeFutureSupplier(
        () -> executor.submit(() -> target.blockingQuote(sku)));
  }

  /** Failsafe: a {@code Timeout} policy on a blocking call. */
  @Benchmark
  public String timedSyncFailsafe() {
    return failsafeTimeout.get(() -> target.blockingQuote(sku));
  }
}
