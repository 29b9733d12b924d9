package dev.brownout.degrade;

import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.buffer.BoundedBuffer;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.StateStore;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Circuit breakers, retries, timeouts, bulkheads, rate limits, typed fallbacks and failover chains
 * for third-party calls, on Resilience4j's core modules (not its Spring module), applied to
 * interfaces by {@link dev.brownout.core.guard.GuardedProxies}:
 *
 * <pre>{@code
 * Resilience resilience = Resilience.builder(store)
 *     .circuitBreaker("payments", CircuitBreakerConfig.custom().failureRateThreshold(50).build())
 *     .retry("payments", RetryConfig.custom().maxAttempts(3).ignoreExceptions(CallNotPermittedException.class).build())
 *     .fallback(PaymentApi.class, new QueuedPayments(database))
 *     .metrics(metrics)
 *     .build();
 * PaymentApi payments = GuardedProxies.builder().add(resilience.guards()).build().proxy(PaymentApi.class, client);
 * }</pre>
 *
 * A call meets them in their documented order ({@code ORDER} on each annotation): fallback, retry,
 * circuit breaker, rate limiter, timeout, concurrency limit, bulkhead; so every attempt passes
 * through the breaker and is bounded by the timeout, a bulkhead slot is held only while the call
 * runs, and the fallback sees the final outcome once. Methods returning {@code CompletionStage} are
 * guarded through their futures. Breakers, retries, bulkheads, rate limiters and named timeouts
 * must be declared: a misspelt name is an error when the proxy is built.
 *
 * <p>What operators change through the admin API (a breaker forced open or closed, new settings for
 * a breaker, retry, bulkhead, rate limiter or timeout) is kept in the store's namespace {@code
 * brownout-resilience}: it holds on every server sharing the store, and across restarts. Meters are
 * Resilience4j's own ({@code resilience4j.*}) plus {@link ResilienceMeters}.
 */
public final class Resilience implements AutoCloseable {
  private final CircuitBreakerRegistry breakers;
  private final RetryRegistry retries;
  private final BulkheadRegistry bulkheads;
  private final RateLimiterRegistry rateLimiters;
  // Guards hold these, so an instance replaced by a settings change takes effect at once.
  private final Map<String, BreakerHolder> breakerHolders = new ConcurrentHashMap<>();
  private final Map<String, CircuitBreakerConfig> breakerBase = new ConcurrentHashMap<>();
  private final Map<String, Long> breakerEpochs = new ConcurrentHashMap<>();
  private final Map<String, RetryGuard.Declared> retryHolders = new ConcurrentHashMap<>();
  private final Map<String, RetryConfig> retryBase = new ConcurrentHashMap<>();
  private final Map<String, BulkheadConfig> bulkheadBase = new ConcurrentHashMap<>();
  private final Map<String, RateLimiterConfig> rateLimiterBase = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> timeouts = new ConcurrentHashMap<>();
  private final Map<String, Long> timeoutBase = new ConcurrentHashMap<>();
  private final Map<String, RetryBudget> failoverBudgets = new ConcurrentHashMap<>();
  private final List<RetryBudget> budgets = new CopyOnWriteArrayList<>();
  private final Map<Class<?>, Object> fallbacks;
  private final Map<String, ConcurrencyLimiter> limiters;
  private final List<BoundedBuffer<?>> buffers;
  private final CircuitBreakerConfig defaultBreaker;
  private final double budgetRatio;
  private final double budgetMinPerSecond;
  private final BrownoutMetrics metrics;
  private final TimeoutThreads timeoutThreads;
  private final ResilienceControl control;
  private final boolean callTimers;

  private Resilience(Builder builder) {
    this.metrics = builder.metrics;
    this.fallbacks = Map.copyOf(builder.fallbacks);
    Map<String, ConcurrencyLimiter> declaredLimiters = new LinkedHashMap<>(builder.limiters);
    for (String name : builder.defaultLimiters) {
      declaredLimiters.computeIfAbsent(
          name,
          n ->
              ConcurrencyLimiter.builder(n)
                  .settings(builder.settings)
                  .metrics(builder.metrics)
                  .build());
    }
    this.limiters = Collections.unmodifiableMap(declaredLimiters);
    this.buffers = List.copyOf(builder.buffers);
    this.defaultBreaker = builder.defaultBreaker();
    this.budgetRatio = builder.settings.get(DegradeConfig.RETRY_BUDGET_RATIO);
    this.budgetMinPerSecond = builder.settings.get(DegradeConfig.RETRY_BUDGET_MIN_PER_SECOND);
    this.breakers = CircuitBreakerRegistry.ofDefaults();
    this.callTimers = builder.settings.get(DegradeConfig.CALL_TIMERS);
    builder.breakerConfigs.forEach(this::declareBreaker);
    this.retries = RetryRegistry.ofDefaults();
    builder.retryConfigs.forEach(
        (name, config) -> {
          retryBase.put(name, config);
          retryHolders.put(
              name,
              new RetryGuard.Declared(
                  new AtomicReference<>(retries.retry(name, config)), budget(), name));
        });
    this.bulkheads = BulkheadRegistry.ofDefaults();
    builder.bulkheadConfigs.forEach(
        (name, config) -> {
          bulkheadBase.put(name, config);
          bulkheads.bulkhead(name, config);
        });
    this.rateLimiters = RateLimiterRegistry.ofDefaults();
    builder.rateLimiterConfigs.forEach(
        (name, config) -> {
          rateLimiterBase.put(name, config);
          rateLimiters.rateLimiter(name, config);
        });
    builder.timeoutConfigs.forEach(
        (name, limit) -> {
          timeoutBase.put(name, limit.toMillis());
          timeouts.put(name, new AtomicLong(limit.toMillis()));
        });
    MeterRegistry registry = metrics.registry();
    // Breakers' meters are bound by their holders (BreakerHolder): no listener per call.
    TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(registry);
    TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(registry);
    TaggedRateLimiterMetrics.ofRateLimiterRegistry(rateLimiters).bindTo(registry);
    this.timeoutThreads =
        new TimeoutThreads(builder.settings.get(DegradeConfig.TIMEOUT_MAX_THREADS), metrics);
    timeoutThreads.scheduler().scheduleAtFixedRate(this::tickBudgets, 1, 1, TimeUnit.SECONDS);
    this.control =
        new ResilienceControl(
            builder.store,
            this::applyControl,
            builder.settings.get(DegradeConfig.CONTROL_REFRESH_INTERVAL));
    control.start();
  }

  /**
   * Starts a builder whose run-time controls (forced breakers, changed settings) are kept in {@code
   * store}, so they hold on every server that shares it and across restarts; {@code
   * InMemoryStateStore.create()} keeps them in this process only.
   */
  public static Builder builder(StateStore store) {
    return new Builder(store);
  }

  private RetryBudget budget() {
    RetryBudget budget = new RetryBudget(budgetRatio, budgetMinPerSecond, System::nanoTime);
    budgets.add(budget);
    return budget;
  }

  // Once a second: each budget marks its count of calls, so a call itself reads no clock.
  private void tickBudgets() {
    for (RetryBudget budget : budgets) {
      budget.tick();
    }
  }

  private synchronized BreakerHolder declareBreaker(String name, CircuitBreakerConfig config) {
    breakerBase.put(name, config);
    return breakerHolders.computeIfAbsent(
        name,
        n -> new BreakerHolder(breakers.circuitBreaker(n, config), metrics.registry(), callTimers));
  }

  /** A declared breaker, to read its state. */
  public io.github.resilience4j.circuitbreaker.CircuitBreaker circuitBreaker(String name) {
    return holder(name, "no circuit breaker named '").get();
  }

  /** The names of the declared breakers. */
  public Set<String> circuitBreakerNames() {
    return new TreeSet<>(breakerHolders.keySet());
  }

  /** The names of the declared retries. */
  public Set<String> retryNames() {
    return new TreeSet<>(retryHolders.keySet());
  }

  /** The names of the declared bulkheads. */
  public Set<String> bulkheadNames() {
    return new TreeSet<>(bulkheadBase.keySet());
  }

  /** The names of the declared rate limiters. */
  public Set<String> rateLimiterNames() {
    return new TreeSet<>(rateLimiterBase.keySet());
  }

  /** The names of the declared timeouts. */
  public Set<String> timeoutNames() {
    return new TreeSet<>(timeouts.keySet());
  }

  /** The names of the declared concurrency limiters. */
  public Set<String> concurrencyLimiterNames() {
    return new TreeSet<>(limiters.keySet());
  }

  /** A declared concurrency limiter. */
  public ConcurrencyLimiter concurrencyLimiter(String name) {
    ConcurrencyLimiter limiter = limiters.get(name);
    if (limiter == null) {
      throw new IllegalArgumentException(
          "@ConcurrencyLimit names '"
              + name
              + "', which is not declared; declared: "
              + new TreeSet<>(limiters.keySet())
              + " (Resilience.Builder.concurrencyLimit)");
    }
    return limiter;
  }

  /** The bounded buffers registered for the admin API's view. */
  List<BoundedBuffer<?>> buffers() {
    return buffers;
  }

  /** A declared retry's policy now. */
  public io.github.resilience4j.retry.Retry retry(String name) {
    return retryDeclared(name).retry().get();
  }

  /** A declared bulkhead. */
  public io.github.resilience4j.bulkhead.Bulkhead bulkhead(String name) {
    return bulkheads.find(name).orElseThrow(() -> unknown("bulkhead", name, bulkheadBase.keySet()));
  }

  /** A declared rate limiter. */
  public io.github.resilience4j.ratelimiter.RateLimiter rateLimiter(String name) {
    return rateLimiters
        .find(name)
        .orElseThrow(() -> unknown("rate limiter", name, rateLimiterBase.keySet()));
  }

  /** A declared timeout's limit now. */
  public Duration timeout(String name) {
    return Duration.ofMillis(timeoutHolder(name).get());
  }

  private AtomicLong timeoutHolder(String name) {
    AtomicLong holder = timeouts.get(name);
    if (holder == null) {
      throw unknown("timeout", name, timeouts.keySet());
    }
    return holder;
  }

  private RetryGuard.Declared retryDeclared(String name) {
    RetryGuard.Declared declared = retryHolders.get(name);
    if (declared == null) {
      throw unknown("retry", name, retryHolders.keySet());
    }
    return declared;
  }

  private static IllegalArgumentException unknown(String what, String name, Set<String> declared) {
    return new IllegalArgumentException(
        "no " + what + " named '" + name + "'; declared: " + new TreeSet<>(declared));
  }

  private BreakerHolder holder(String name, String problem) {
    BreakerHolder holder = breakerHolders.get(name);
    if (holder == null) {
      throw new IllegalArgumentException(
          problem + name + "'; declared: " + new TreeSet<>(breakerHolders.keySet()));
    }
    return holder;
  }

  /**
   * Starts a failover chain named {@code name} across providers of {@code api}; each provider sits
   * behind the breaker of its own name (declared, or made with the default settings).
   */
  public <T> Failover.Builder<T> failover(String name, Class<T> api) {
    return new Failover.Builder<>(
        name,
        api,
        provider -> {
          var declared = breakerHolders.get(provider);
          return declared != null ? declared : declareBreaker(provider, defaultBreaker);
        },
        chain -> failoverBudgets.computeIfAbsent(chain, c -> budget()),
        metrics);
  }

  // --- run-time control, kept in the store

  /**
   * The store's control of a guard: {@code kind} is breaker, retry, bulkhead, rate-limit, timeout.
   */
  Optional<ResilienceControl.Control> control(String kind, String name) {
    return control.read(kind, name);
  }

  /**
   * Forces a breaker open ({@code "open"}) or closed ({@code "closed"}) on every server, or
   * releases it ({@code ""}: back to counting, closed, on every server).
   */
  ResilienceControl.Control force(String name, String forced, OptionalLong ifVersion) {
    holder(name, "no circuit breaker named '");
    return control.write("breaker", name, forced, null, forced.isEmpty(), ifVersion);
  }

  /** Changes a breaker's settings on every server; a forced state stays forced. */
  ResilienceControl.Control changeBreaker(
      String name, ControlSettings.Breaker settings, OptionalLong ifVersion) {
    holder(name, "no circuit breaker named '");
    ControlSettings.Breaker stored =
        control.settings(control.read("breaker", name).orElse(null), ControlSettings.Breaker.class);
    ControlSettings.Breaker merged = settings.over(stored);
    requireValid(merged.problems(breakerBase.get(name)));
    return control.write("breaker", name, null, merged, false, ifVersion);
  }

  /** Changes a retry's settings on every server. */
  ResilienceControl.Control changeRetry(
      String name, ControlSettings.Retry settings, OptionalLong ifVersion) {
    retryDeclared(name);
    ControlSettings.Retry merged =
        settings.over(
            control.settings(
                control.read("retry", name).orElse(null), ControlSettings.Retry.class));
    requireValid(merged.problems());
    return control.write("retry", name, null, merged, false, ifVersion);
  }

  /** Changes a bulkhead's settings on every server. */
  ResilienceControl.Control changeBulkhead(
      String name, ControlSettings.Bulkhead settings, OptionalLong ifVersion) {
    bulkhead(name);
    ControlSettings.Bulkhead merged =
        settings.over(
            control.settings(
                control.read("bulkhead", name).orElse(null), ControlSettings.Bulkhead.class));
    requireValid(merged.problems());
    return control.write("bulkhead", name, null, merged, false, ifVersion);
  }

  /** Changes a rate limiter's settings on every server. */
  ResilienceControl.Control changeRateLimit(
      String name, ControlSettings.RateLimit settings, OptionalLong ifVersion) {
    rateLimiter(name);
    ControlSettings.RateLimit merged =
        settings.over(
            control.settings(
                control.read("rate-limit", name).orElse(null), ControlSettings.RateLimit.class));
    requireValid(merged.problems());
    return control.write("rate-limit", name, null, merged, false, ifVersion);
  }

  /** Changes a declared timeout's limit on every server. */
  ResilienceControl.Control changeTimeout(
      String name, ControlSettings.Timeout settings, OptionalLong ifVersion) {
    timeoutHolder(name);
    ControlSettings.Timeout merged =
        settings.over(
            control.settings(
                control.read("timeout", name).orElse(null), ControlSettings.Timeout.class));
    requireValid(merged.problems());
    return control.write("timeout", name, null, merged, false, ifVersion);
  }

  private static void requireValid(List<String> problems) {
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid settings, nothing changed: " + String.join("; ", problems));
    }
  }

  /** Applies a stored control to this server's guard. */
  private synchronized void applyControl(
      String kind, String name, ResilienceControl.@Nullable Control stored) {
    switch (kind) {
      case "breaker" -> applyBreaker(name, stored);
      case "retry" -> {
        RetryGuard.Declared declared = retryHolders.get(name);
        if (declared != null) {
          ControlSettings.Retry settings = control.settings(stored, ControlSettings.Retry.class);
          RetryConfig config =
              settings == null ? retryBase.get(name) : settings.applyTo(retryBase.get(name));
          io.github.resilience4j.retry.Retry replacement =
              io.github.resilience4j.retry.Retry.of(name, config);
          retries.replace(name, replacement);
          declared.retry().set(replacement);
        }
      }
      case "bulkhead" -> {
        BulkheadConfig base = bulkheadBase.get(name);
        if (base != null) {
          ControlSettings.Bulkhead settings =
              control.settings(stored, ControlSettings.Bulkhead.class);
          bulkhead(name).changeConfig(settings == null ? base : settings.applyTo(base));
        }
      }
      case "rate-limit" -> {
        RateLimiterConfig base = rateLimiterBase.get(name);
        if (base != null) {
          ControlSettings.RateLimit settings =
              control.settings(stored, ControlSettings.RateLimit.class);
          var limiter = rateLimiter(name);
          limiter.changeLimitForPeriod(
              settings != null && settings.limitForPeriod() != null
                  ? settings.limitForPeriod()
                  : base.getLimitForPeriod());
          limiter.changeTimeoutDuration(
              settings != null && settings.timeoutMillis() != null
                  ? Duration.ofMillis(settings.timeoutMillis())
                  : base.getTimeoutDuration());
        }
      }
      case "timeout" -> {
        AtomicLong holder = timeouts.get(name);
        if (holder != null) {
          ControlSettings.Timeout settings =
              control.settings(stored, ControlSettings.Timeout.class);
          holder.set(
              settings != null && settings.millis() != null
                  ? settings.millis()
                  : timeoutBase.get(name));
        }
      }
      default -> {
        // A kind this version does not know (written by a newer server): leave it alone.
      }
    }
  }

  private void applyBreaker(String name, ResilienceControl.@Nullable Control stored) {
    BreakerHolder holder = breakerHolders.get(name);
    if (holder == null) {
      return;
    }
    CircuitBreakerConfig base = breakerBase.get(name);
    ControlSettings.Breaker settings = control.settings(stored, ControlSettings.Breaker.class);
    CircuitBreakerConfig wanted = settings == null ? base : settings.applyTo(base);
    io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = holder.get();
    long epoch = stored == null ? 0 : stored.epoch();
    boolean reset = epoch != breakerEpochs.getOrDefault(name, 0L);
    breakerEpochs.put(name, epoch);
    if (!ControlSettings.Breaker.of(wanted)
        .equals(ControlSettings.Breaker.of(breaker.getCircuitBreakerConfig()))) {
      breaker = io.github.resilience4j.circuitbreaker.CircuitBreaker.of(name, wanted);
      breakers.replace(name, breaker);
      holder.set(breaker);
    } else if (reset) {
      breaker.reset();
    }
    String forced = stored == null ? null : stored.forced();
    var state = breaker.getState();
    if ("open".equals(forced)) {
      if (state != io.github.resilience4j.circuitbreaker.CircuitBreaker.State.FORCED_OPEN) {
        breaker.transitionToForcedOpenState();
      }
    } else if ("closed".equals(forced)) {
      if (state != io.github.resilience4j.circuitbreaker.CircuitBreaker.State.DISABLED) {
        breaker.transitionToDisabledState();
      }
    } else if (state == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.FORCED_OPEN
        || state == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.DISABLED) {
      breaker.transitionToClosedState();
    }
  }

  /**
   * The admin routes: breakers, retries, bulkheads, rate limiters and timeouts, each listed, read
   * with an ETag, and changed with {@code If-Match}; see the admin API reference.
   */
  public List<AdminRoute> adminRoutes() {
    List<AdminRoute> routes = new ArrayList<>(DegradeRoutes.resilience(this));
    routes.addAll(OverloadRoutes.routes(this));
    return routes;
  }

  /**
   * The guards for {@link Fallback}, {@link Retry}, {@link CircuitBreaker}, {@link RateLimit},
   * {@link Timeout}, {@link ConcurrencyLimit} and {@link Bulkhead}, for {@code
   * GuardedProxies.builder().add(...)}.
   */
  public List<GuardFactory> guards() {
    return List.of(
        new FallbackGuard(fallbacks, metrics),
        new RetryGuard(this::retryDeclared, timeoutThreads.scheduler(), metrics),
        new BreakerGuard(name -> holder(name, "no circuit breaker named '")),
        new RateLimitGuard(rateLimiters, timeoutThreads.scheduler()),
        new TimeoutGuard(timeoutThreads, this::timeoutHolder, metrics),
        new ConcurrencyLimitGuard(this::concurrencyLimiter),
        new BulkheadGuard(bulkheads));
  }

  /** Timeout threads running now, abandoned attempts included; for tests and diagnostics. */
  int timeoutThreadsInUse() {
    return timeoutThreads.inUse();
  }

  /** The most timeout threads that ran at once. */
  int timeoutThreadsPeak() {
    return timeoutThreads.peak();
  }

  @Override
  public void close() {
    control.close();
    timeoutThreads.close();
  }

  /** Builds {@link Resilience}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, CircuitBreakerConfig> breakerConfigs = new LinkedHashMap<>();
    private final Map<String, RetryConfig> retryConfigs = new LinkedHashMap<>();
    private final Map<String, BulkheadConfig> bulkheadConfigs = new LinkedHashMap<>();
    private final Map<String, RateLimiterConfig> rateLimiterConfigs = new LinkedHashMap<>();
    private final Set<String> defaultBreakers = new LinkedHashSet<>();
    private final Set<String> defaultRetries = new LinkedHashSet<>();
    private final Map<String, Duration> timeoutConfigs = new LinkedHashMap<>();
    private final Map<Class<?>, Object> fallbacks = new LinkedHashMap<>();
    private final Map<String, ConcurrencyLimiter> limiters = new LinkedHashMap<>();
    private final Set<String> defaultLimiters = new LinkedHashSet<>();
    private final List<BoundedBuffer<?>> buffers = new ArrayList<>();
    private final Settings settings =
        Settings.of(
            List.of(
                DegradeConfig.BREAKER_FAILURE_RATE,
                DegradeConfig.BREAKER_WINDOW,
                DegradeConfig.BREAKER_MINIMUM_CALLS,
                DegradeConfig.BREAKER_WAIT_IN_OPEN,
                DegradeConfig.BREAKER_SLOW_CALL,
                DegradeConfig.RETRY_MAX_ATTEMPTS,
                DegradeConfig.RETRY_WAIT,
                DegradeConfig.RETRY_BUDGET_RATIO,
                DegradeConfig.RETRY_BUDGET_MIN_PER_SECOND,
                DegradeConfig.TIMEOUT_MAX_THREADS,
                DegradeConfig.CONTROL_REFRESH_INTERVAL,
                DegradeConfig.CONCURRENCY_INITIAL_LIMIT,
                DegradeConfig.CONCURRENCY_MIN_LIMIT,
                DegradeConfig.CONCURRENCY_MAX_LIMIT,
                DegradeConfig.CONCURRENCY_TOLERANCE,
                DegradeConfig.CONCURRENCY_WINDOW,
                DegradeConfig.CALL_TIMERS));
    private final StateStore store;
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();

    private Builder(StateStore store) {
      this.store =
          Objects.requireNonNull(
              store,
              "Resilience.builder(store) needs the store operators' controls are kept in: the"
                  + " shared Redis or DynamoDB store, or InMemoryStateStore.create() for a single"
                  + " process");
    }

    /**
     * Declares a timeout named {@code name} for {@code @Timeout("name")}, whose limit operators can
     * change at run time.
     */
    public Builder timeout(String name, Duration limit) {
      Objects.requireNonNull(name, "name");
      if (limit.toMillis() < 1 || limit.toMillis() > ControlSettings.MAX_TIMEOUT_MILLIS) {
        throw new IllegalArgumentException(
            "timeout " + name + " must be between 1 ms and 10 min but was " + limit);
      }
      timeoutConfigs.put(name, limit);
      return this;
    }

    /**
     * The fallback for the {@link Fallback} methods of {@code api} that name no class: an object
     * with methods of the same names and parameters (optionally a last {@code Throwable} parameter
     * that receives the failure). It need not implement the whole interface, and can hold its own
     * dependencies (a queue, a cache, another vendor's client).
     */
    public Builder fallback(Class<?> api, Object fallback) {
      Objects.requireNonNull(api, "api");
      Objects.requireNonNull(fallback, "fallback");
      if (!api.isInterface()) {
        throw new IllegalArgumentException(
            api.getName() + " is a class; fallbacks are registered for the guarded interface");
      }
      fallbacks.put(api, fallback);
      return this;
    }

    /**
     * Retries and failovers allowed, as a share of calls ({@code
     * brownout.degrade.retry.budget.ratio}). Default 0.2.
     */
    public Builder retryBudgetRatio(double ratio) {
      settings.set(DegradeConfig.RETRY_BUDGET_RATIO, ratio);
      return this;
    }

    /** Retries a second always allowed ({@code brownout.degrade.retry.budget.min-per-second}). */
    public Builder retryBudgetMinPerSecond(double retries) {
      settings.set(DegradeConfig.RETRY_BUDGET_MIN_PER_SECOND, retries);
      return this;
    }

    /** Threads for synchronous timeouts at most ({@code brownout.degrade.timeout.max-threads}). */
    public Builder timeoutMaxThreads(int threads) {
      settings.set(DegradeConfig.TIMEOUT_MAX_THREADS, threads);
      return this;
    }

    /**
     * How often stored controls are re-read ({@code brownout.degrade.control.refresh-interval}).
     */
    public Builder controlRefreshInterval(Duration interval) {
      settings.set(DegradeConfig.CONTROL_REFRESH_INTERVAL, interval);
      return this;
    }

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

    /**
     * Declares an adaptive concurrency limiter named {@code name}, for {@link ConcurrencyLimit}
     * methods that name it, with the settings {@code brownout.degrade.concurrency.*} (read when
     * {@link #build()} runs) and this builder's metrics.
     */
    public Builder concurrencyLimit(String name) {
      Objects.requireNonNull(name, "name");
      if (limiters.containsKey(name)) {
        throw new IllegalArgumentException(
            "concurrency limiter '" + name + "' is already declared with concurrencyLimiter(...)");
      }
      defaultLimiters.add(name);
      return this;
    }

    /**
     * Declares a limiter built elsewhere, under its own name: one shared by several interfaces, or
     * the inbound {@link ConcurrencyLimitFilter}'s, so that the admin API shows it too.
     *
     * @throws IllegalArgumentException if a limiter of that name is already declared
     */
    public Builder concurrencyLimiter(ConcurrencyLimiter limiter) {
      Objects.requireNonNull(limiter, "limiter");
      if (limiters.containsKey(limiter.name()) || defaultLimiters.contains(limiter.name())) {
        throw new IllegalArgumentException(
            "concurrency limiter '" + limiter.name() + "' is declared twice");
      }
      limiters.put(limiter.name(), limiter);
      return this;
    }

    /**
     * The limit the limiters of {@link #concurrencyLimit} start from ({@code
     * brownout.degrade.concurrency.initial-limit}). Default 20.
     */
    public Builder concurrencyInitialLimit(int limit) {
      settings.set(DegradeConfig.CONCURRENCY_INITIAL_LIMIT, limit);
      return this;
    }

    /** Their lowest limit ({@code brownout.degrade.concurrency.min-limit}). Default 2. */
    public Builder concurrencyMinLimit(int limit) {
      settings.set(DegradeConfig.CONCURRENCY_MIN_LIMIT, limit);
      return this;
    }

    /** Their highest limit ({@code brownout.degrade.concurrency.max-limit}). Default 1000. */
    public Builder concurrencyMaxLimit(int limit) {
      settings.set(DegradeConfig.CONCURRENCY_MAX_LIMIT, limit);
      return this;
    }

    /**
     * How much slower than no-load their calls may get before the limit shrinks ({@code
     * brownout.degrade.concurrency.tolerance}). Default 1.5.
     */
    public Builder concurrencyTolerance(double ratio) {
      settings.set(DegradeConfig.CONCURRENCY_TOLERANCE, ratio);
      return this;
    }

    /** How often their limit is recomputed ({@code …concurrency.window}). Default 100 ms. */
    public Builder concurrencyWindow(Duration window) {
      settings.set(DegradeConfig.CONCURRENCY_WINDOW, window);
      return this;
    }

    /** Shows {@code buffer} in the admin API ({@code GET /api/v1/buffers}). */
    public Builder buffer(BoundedBuffer<?> buffer) {
      buffers.add(Objects.requireNonNull(buffer, "buffer"));
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

    /**
     * Reads {@code brownout.degrade.breaker.*}, {@code retry.*}, {@code timeout.*}, {@code
     * control.*} and {@code concurrency.*} (the limits, not the filter's) from {@code config}.
     */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    /**
     * Where Resilience4j's meters ({@code resilience4j.*}) and Brownout's ({@link
     * ResilienceMeters}) go. Default: in memory.
     */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    CircuitBreakerConfig defaultBreaker() {
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
