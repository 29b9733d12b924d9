package dev.brownout.degrade;

import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.metrics.BrownoutMetrics;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Circuit breakers, retries, timeouts and typed fallbacks for third-party calls, on Resilience4j's
 * core modules (not its Spring module), applied to interfaces by {@link
 * dev.brownout.core.guard.GuardedProxies}:
 *
 * <pre>{@code
 * Resilience resilience = Resilience.builder()
 *     .circuitBreaker("payments", CircuitBreakerConfig.custom().failureRateThreshold(50).build())
 *     .retry("payments", RetryConfig.custom().maxAttempts(3).ignoreExceptions(CallNotPermittedException.class).build())
 *     .metrics(metrics)
 *     .build();
 * PaymentApi payments = GuardedProxies.builder().add(resilience.guards()).build().proxy(PaymentApi.class, client);
 * }</pre>
 *
 * A call meets them in their documented order ({@code ORDER} on each annotation): fallback, retry,
 * circuit breaker, rate limiter, timeout, bulkhead; so every attempt passes through the breaker and
 * is bounded by the timeout, a bulkhead slot is held only while the call runs, and the fallback
 * sees the final outcome once. Breakers, retries, bulkheads and rate limiters must be declared by
 * name: a misspelt name is an error when the proxy is built. A breaker's settings can be replaced
 * live ({@link #reconfigure}). Meters are Resilience4j's own ({@code
 * resilience4j.circuitbreaker.*}, {@code resilience4j.retry.*}, {@code resilience4j.bulkhead.*},
 * {@code resilience4j.ratelimiter.*}).
 */
public final class Resilience implements AutoCloseable {
  private final CircuitBreakerRegistry breakers;
  private final RetryRegistry retries;
  private final BulkheadRegistry bulkheads;
  private final RateLimiterRegistry rateLimiters;
  // Guards hold these, so a breaker replaced by live reconfiguration takes effect at once.
  private final Map<String, AtomicReference<io.github.resilience4j.circuitbreaker.CircuitBreaker>>
      breakerHolders = new ConcurrentHashMap<>();
  private final ExecutorService timeoutThreads =
      Executors.newCachedThreadPool(DaemonThreads.named("brownout-timeout"));

  private Resilience(Builder builder) {
    this.breakers = CircuitBreakerRegistry.ofDefaults();
    builder.breakerConfigs.forEach(
        (name, config) ->
            breakerHolders.put(name, new AtomicReference<>(breakers.circuitBreaker(name, config))));
    this.retries = RetryRegistry.ofDefaults();
    builder.retryConfigs.forEach(retries::retry);
    this.bulkheads = BulkheadRegistry.ofDefaults();
    builder.bulkheadConfigs.forEach(bulkheads::bulkhead);
    this.rateLimiters = RateLimiterRegistry.ofDefaults();
    builder.rateLimiterConfigs.forEach(rateLimiters::rateLimiter);
    MeterRegistry registry = builder.metrics.registry();
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
    TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(registry);
    TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(registry);
    TaggedRateLimiterMetrics.ofRateLimiterRegistry(rateLimiters).bindTo(registry);
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A declared breaker, to read its state or force it open or closed. */
  public io.github.resilience4j.circuitbreaker.CircuitBreaker circuitBreaker(String name) {
    return holder(name, "no circuit breaker named '").get();
  }

  /** The names of the declared breakers. */
  public Set<String> circuitBreakerNames() {
    return new TreeSet<>(breakerHolders.keySet());
  }

  private AtomicReference<io.github.resilience4j.circuitbreaker.CircuitBreaker> holder(
      String name, String problem) {
    AtomicReference<io.github.resilience4j.circuitbreaker.CircuitBreaker> holder =
        breakerHolders.get(name);
    if (holder == null) {
      throw new IllegalArgumentException(
          problem + name + "'; declared: " + new TreeSet<>(breakerHolders.keySet()));
    }
    return holder;
  }

  /**
   * Replaces a declared breaker's configuration, live: calls from now on meet a new breaker with
   * the new settings, starting closed; its meters keep the same name.
   *
   * @return the new breaker
   * @throws IllegalArgumentException if no breaker has that name
   */
  public io.github.resilience4j.circuitbreaker.CircuitBreaker reconfigure(
      String name, CircuitBreakerConfig config) {
    Objects.requireNonNull(config, "config");
    AtomicReference<io.github.resilience4j.circuitbreaker.CircuitBreaker> holder =
        holder(name, "no circuit breaker named '");
    io.github.resilience4j.circuitbreaker.CircuitBreaker replacement =
        io.github.resilience4j.circuitbreaker.CircuitBreaker.of(name, config);
    breakers.replace(name, replacement);
    holder.set(replacement);
    return replacement;
  }

  /**
   * The admin routes: {@code GET /api/v1/breakers}, {@code POST
   * /api/v1/breakers/{name}/{force-open|force-closed|close|reset}} and {@code PUT
   * /api/v1/breakers/{name}/config} for live settings.
   */
  public List<AdminRoute> adminRoutes() {
    return DegradeRoutes.breakers(this);
  }

  /**
   * The guards for {@link Fallback}, {@link Retry}, {@link CircuitBreaker}, {@link RateLimit},
   * {@link Timeout} and {@link Bulkhead}, for {@code GuardedProxies.builder().add(...)}.
   */
  public List<GuardFactory> guards() {
    return List.of(
        new FallbackGuard(),
        new RetryGuard(retries),
        new BreakerGuard(name -> holder(name, "no circuit breaker named '")),
        new RateLimitGuard(rateLimiters),
        new TimeoutGuard(timeoutThreads),
        new BulkheadGuard(bulkheads));
  }

  @Override
  public void close() {
    timeoutThreads.shutdownNow();
  }

  /** Builds {@link Resilience}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, CircuitBreakerConfig> breakerConfigs = new LinkedHashMap<>();
    private final Map<String, RetryConfig> retryConfigs = new LinkedHashMap<>();
    private final Map<String, BulkheadConfig> bulkheadConfigs = new LinkedHashMap<>();
    private final Map<String, RateLimiterConfig> rateLimiterConfigs = new LinkedHashMap<>();
    private final Set<String> defaultBreakers = new LinkedHashSet<>();
    private final Set<String> defaultRetries = new LinkedHashSet<>();
    private final Settings settings =
        Settings.of(
            List.of(
                DegradeConfig.BREAKER_FAILURE_RATE,
                DegradeConfig.BREAKER_WINDOW,
                DegradeConfig.BREAKER_MINIMUM_CALLS,
                DegradeConfig.BREAKER_WAIT_IN_OPEN,
                DegradeConfig.BREAKER_SLOW_CALL,
                DegradeConfig.RETRY_MAX_ATTEMPTS,
                DegradeConfig.RETRY_WAIT));
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();

    private Builder() {}

    /** Declares a circuit breaker with its own settings. */
    public Builder circuitBreaker(String name, CircuitBreakerConfig config) {
      breakerConfigs.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(config, "config"));
      return this;
    }

    /**
     * Declares a circuit breaker with the default settings ({@code brownout.degrade.breaker.*},
     * read when {@link #build()} runs).
     */
    public Builder circuitBreaker(String name) {
      defaultBreakers.add(Objects.requireNonNull(name, "name"));
      return this;
    }

    /**
     * Declares a retry with the default settings ({@code brownout.degrade.retry.*}, read when
     * {@link #build()} runs): exponential backoff with jitter, never retrying a call an open
     * breaker refused.
     */
    public Builder retry(String name) {
      defaultRetries.add(Objects.requireNonNull(name, "name"));
      return this;
    }

    /** Declares a retry policy with its own settings. */
    public Builder retry(String name, RetryConfig config) {
      retryConfigs.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(config, "config"));
      return this;
    }

    /** Declares a bulkhead (semaphore: calls at once, and how long a call waits for a slot). */
    public Builder bulkhead(String name, BulkheadConfig config) {
      bulkheadConfigs.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(config, "config"));
      return this;
    }

    /** Declares a rate limiter. */
    public Builder rateLimiter(String name, RateLimiterConfig config) {
      rateLimiterConfigs.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(config, "config"));
      return this;
    }

    /**
     * Default breakers: percentage of failed calls that opens one ({@code …breaker.failure-rate}).
     */
    public Builder breakerFailureRate(double percent) {
      settings.set(DegradeConfig.BREAKER_FAILURE_RATE, percent);
      return this;
    }

    /** Default breakers: recent calls the rates cover ({@code brownout.degrade.breaker.window}). */
    public Builder breakerWindow(int calls) {
      settings.set(DegradeConfig.BREAKER_WINDOW, calls);
      return this;
    }

    /** Default breakers: calls before the rates count ({@code …breaker.minimum-calls}). */
    public Builder breakerMinimumCalls(int calls) {
      settings.set(DegradeConfig.BREAKER_MINIMUM_CALLS, calls);
      return this;
    }

    /** Default breakers: time open before trial calls ({@code …breaker.wait-in-open}). */
    public Builder breakerWaitInOpen(Duration wait) {
      settings.set(DegradeConfig.BREAKER_WAIT_IN_OPEN, wait);
      return this;
    }

    /** Default breakers: a call slower than this is slow ({@code …breaker.slow-call}). */
    public Builder breakerSlowCall(Duration threshold) {
      settings.set(DegradeConfig.BREAKER_SLOW_CALL, threshold);
      return this;
    }

    /** Default retries: attempts in all ({@code brownout.degrade.retry.max-attempts}). */
    public Builder retryMaxAttempts(int attempts) {
      settings.set(DegradeConfig.RETRY_MAX_ATTEMPTS, attempts);
      return this;
    }

    /** Default retries: the first wait, doubled each time ({@code brownout.degrade.retry.wait}). */
    public Builder retryWait(Duration wait) {
      settings.set(DegradeConfig.RETRY_WAIT, wait);
      return this;
    }

    /** Reads {@code brownout.degrade.breaker.*} and {@code retry.*} from {@code config}. */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    /** Where Resilience4j's meters go ({@code resilience4j.*}). Default: in memory. */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    private CircuitBreakerConfig defaultBreaker() {
      return DegradeConfig.countBased(
              settings,
              DegradeConfig.BREAKER_FAILURE_RATE,
              DegradeConfig.BREAKER_WINDOW,
              DegradeConfig.BREAKER_MINIMUM_CALLS)
          .waitDurationInOpenState(settings.get(DegradeConfig.BREAKER_WAIT_IN_OPEN))
          .slowCallDurationThreshold(settings.get(DegradeConfig.BREAKER_SLOW_CALL))
          .build();
    }

    private RetryConfig defaultRetry() {
      Duration wait = settings.get(DegradeConfig.RETRY_WAIT);
      return RetryConfig.custom()
          .maxAttempts(settings.get(DegradeConfig.RETRY_MAX_ATTEMPTS))
          .intervalFunction(
              wait.isZero()
                  ? IntervalFunction.of(Duration.ofMillis(1))
                  : IntervalFunction.ofExponentialRandomBackoff(wait, 2.0, 0.5))
          .ignoreExceptions(CallNotPermittedException.class)
          .build();
    }

    /**
     * Builds it.
     *
     * @throws IllegalArgumentException if the default settings are inconsistent, naming them
     */
    public Resilience build() {
      for (String name : defaultBreakers) {
        breakerConfigs.putIfAbsent(name, defaultBreaker());
      }
      for (String name : defaultRetries) {
        retryConfigs.putIfAbsent(name, defaultRetry());
      }
      return new Resilience(this);
    }
  }
}
