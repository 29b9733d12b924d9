package dev.brownout.degrade;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardOrder;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import dev.brownout.core.internal.DaemonThreads;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Circuit breakers, retries, timeouts and typed fallbacks for third-party calls, on Resilience4j's
 * core modules (not its Spring module), applied to interfaces by {@link
 * dev.brownout.core.guard.GuardedProxies}:
 *
 * <pre>{@code
 * Resilience resilience = Resilience.builder()
 *     .circuitBreaker("payments", CircuitBreakerConfig.custom().failureRateThreshold(50).build())
 *     .retry("payments", RetryConfig.custom().maxAttempts(3).ignoreExceptions(CallNotPermittedException.class).build())
 *     .metrics(meterRegistry)
 *     .build();
 * PaymentApi payments = GuardedProxies.builder().add(resilience.guards()).build().proxy(PaymentApi.class, client);
 * }</pre>
 *
 * A call meets them in {@link GuardOrder}: fallback, retry, circuit breaker, rate limiter, timeout,
 * bulkhead; so every attempt passes through the breaker and is bounded by the timeout, a bulkhead
 * slot is held only while the call runs, and the fallback sees the final outcome once. Breakers,
 * retries, bulkheads and rate limiters must be declared by name: a misspelt name is an error when
 * the proxy is built. A breaker's settings can be replaced live ({@link #reconfigure}). Meters are
 * Resilience4j's own ({@code resilience4j.circuitbreaker.*}, {@code resilience4j.retry.*}, {@code
 * resilience4j.bulkhead.*}, {@code resilience4j.ratelimiter.*}).
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
    if (builder.meterRegistry != null) {
      TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(builder.meterRegistry);
      TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(builder.meterRegistry);
      TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(builder.meterRegistry);
      TaggedRateLimiterMetrics.ofRateLimiterRegistry(rateLimiters).bindTo(builder.meterRegistry);
    }
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
  public java.util.Set<String> circuitBreakerNames() {
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
  public List<dev.brownout.core.admin.AdminRoute> adminRoutes() {
    return DegradeRoutes.breakers(this);
  }

  /** The guard factories, for {@code GuardedProxies.builder().add(...)}. */
  public List<GuardFactory> guards() {
    return List.of(
        new FallbackGuard(),
        new RetryGuard(),
        new BreakerGuard(),
        new RateLimitGuard(),
        new TimeoutGuard(),
        new BulkheadGuard());
  }

  @Override
  public void close() {
    timeoutThreads.shutdownNow();
  }

  private final class BreakerGuard implements GuardFactory {
    @Override
    public int order() {
      return GuardOrder.CIRCUIT_BREAKER;
    }

    @Override
    public Optional<MethodGuard> create(GuardedMethod method) {
      Optional<CircuitBreaker> annotation = method.annotation(CircuitBreaker.class);
      if (annotation.isEmpty()) {
        return Optional.empty();
      }
      AtomicReference<io.github.resilience4j.circuitbreaker.CircuitBreaker> holder =
          holder(annotation.get().value(), "no circuit breaker named '");
      return Optional.of(
          (args, next) -> {
            io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = holder.get();
            if (!breaker.tryAcquirePermission()) {
              throw CallNotPermittedException.createCallNotPermittedException(breaker);
            }
            long start = breaker.getCurrentTimestamp();
            Object result;
            try {
              result = next.proceed(args);
            } catch (Throwable failure) {
              throw failed(breaker, start, failure);
            }
            breaker.onSuccess(breaker.getCurrentTimestamp() - start, breaker.getTimestampUnit());
            return result;
          });
    }
  }

  /** The instance an annotation names, or an error listing every declared name. */
  private static <T> T declared(
      String annotation, String name, Optional<T> found, Supplier<Stream<String>> declaredNames) {
    return found.orElseThrow(
        () ->
            new IllegalArgumentException(
                annotation
                    + " names '"
                    + name
                    + "', which is not declared; declared: "
                    + new TreeSet<>(declaredNames.get().toList())));
  }

  // The cold path of the breaker guard, out of line.
  private static Throwable failed(
      io.github.resilience4j.circuitbreaker.CircuitBreaker breaker, long start, Throwable failure) {
    breaker.onError(breaker.getCurrentTimestamp() - start, breaker.getTimestampUnit(), failure);
    return failure;
  }

  private final class RetryGuard implements GuardFactory {
    @Override
    public int order() {
      return GuardOrder.RETRY;
    }

    @Override
    public Optional<MethodGuard> create(GuardedMethod method) {
      Optional<Retry> annotation = method.annotation(Retry.class);
      if (annotation.isEmpty()) {
        return Optional.empty();
      }
      String name = annotation.get().value();
      io.github.resilience4j.retry.Retry retry =
          declared(
              "@Retry",
              name,
              retries.find(name),
              () -> retries.getAllRetries().stream().map(r -> r.getName()));
      return Optional.of(
          (args, next) -> {
            io.github.resilience4j.retry.Retry.Context<Object> context = retry.context();
            Object result;
            try {
              result = next.proceed(args);
            } catch (Exception failure) {
              return retryAfter(context, failure, args, next);
            }
            context.onComplete();
            return result;
          });
    }

    // The cold path, kept out of the guard so the successful call stays small enough to inline.
    private Object retryAfter(
        io.github.resilience4j.retry.Retry.Context<Object> context,
        Exception first,
        Object[] args,
        dev.brownout.core.guard.Next next)
        throws Throwable {
      // Throws the failure when it is not retryable or the attempts are used up; else waits.
      context.onError(first);
      while (true) {
        try {
          Object result = next.proceed(args);
          context.onComplete();
          return result;
        } catch (Exception failure) {
          context.onError(failure);
        }
      }
    }
  }

  private final class BulkheadGuard implements GuardFactory {
    @Override
    public int order() {
      return GuardOrder.BULKHEAD;
    }

    @Override
    public Optional<MethodGuard> create(GuardedMethod method) {
      Optional<Bulkhead> annotation = method.annotation(Bulkhead.class);
      if (annotation.isEmpty()) {
        return Optional.empty();
      }
      String name = annotation.get().value();
      io.github.resilience4j.bulkhead.Bulkhead bulkhead =
          declared(
              "@Bulkhead",
              name,
              bulkheads.find(name),
              () -> bulkheads.getAllBulkheads().stream().map(b -> b.getName()));
      return Optional.of(
          (args, next) -> {
            bulkhead.acquirePermission();
            try {
              return next.proceed(args);
            } finally {
              bulkhead.onComplete();
            }
          });
    }
  }

  private final class RateLimitGuard implements GuardFactory {
    @Override
    public int order() {
      return GuardOrder.RATE_LIMITER;
    }

    @Override
    public Optional<MethodGuard> create(GuardedMethod method) {
      Optional<RateLimit> annotation = method.annotation(RateLimit.class);
      if (annotation.isEmpty()) {
        return Optional.empty();
      }
      String name = annotation.get().value();
      io.github.resilience4j.ratelimiter.RateLimiter limiter =
          declared(
              "@RateLimit",
              name,
              rateLimiters.find(name),
              () -> rateLimiters.getAllRateLimiters().stream().map(r -> r.getName()));
      return Optional.of(
          (args, next) -> {
            io.github.resilience4j.ratelimiter.RateLimiter.waitForPermission(limiter);
            return next.proceed(args);
          });
    }
  }

  private final class TimeoutGuard implements GuardFactory {
    @Override
    public int order() {
      return GuardOrder.TIMEOUT;
    }

    @Override
    public Optional<MethodGuard> create(GuardedMethod method) {
      Optional<Timeout> annotation = method.annotation(Timeout.class);
      if (annotation.isEmpty()) {
        return Optional.empty();
      }
      long millis = annotation.get().millis();
      if (millis < 1) {
        throw new IllegalArgumentException("@Timeout must be at least 1 ms but was " + millis);
      }
      String operation = method.describe();
      return Optional.of(
          (args, next) -> {
            Map<String, String> mdc = MDC.getCopyOfContextMap();
            Future<Object> attempt =
                timeoutThreads.submit(
                    () -> {
                      if (mdc != null) {
                        MDC.setContextMap(mdc);
                      }
                      try {
                        return next.proceed(args);
                      } catch (Exception e) {
                        throw e;
                      } catch (Throwable t) {
                        throw new ExecutionException(t);
                      } finally {
                        MDC.clear();
                      }
                    });
            try {
              return attempt.get(millis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
              attempt.cancel(true);
              throw new CallTimeoutException(operation, millis);
            } catch (InterruptedException e) {
              attempt.cancel(true);
              Thread.currentThread().interrupt();
              throw e;
            } catch (ExecutionException e) {
              Throwable cause = e.getCause();
              throw cause instanceof ExecutionException wrapped && wrapped.getCause() != null
                  ? wrapped.getCause()
                  : cause;
            }
          });
    }
  }

  private static final class FallbackGuard implements GuardFactory {
    @Override
    public int order() {
      return GuardOrder.FALLBACK;
    }

    @Override
    public Optional<MethodGuard> create(GuardedMethod method) {
      Optional<Fallback> annotation = method.annotation(Fallback.class);
      if (annotation.isEmpty()) {
        return Optional.empty();
      }
      Class<?> type = annotation.get().value();
      if (!method.api().isAssignableFrom(type)) {
        throw new IllegalArgumentException(
            "@Fallback " + type.getName() + " does not implement " + method.api().getName());
      }
      Object fallback;
      try {
        var constructor = type.getDeclaredConstructor();
        constructor.setAccessible(true);
        fallback = constructor.newInstance();
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new IllegalArgumentException(
            "@Fallback "
                + type.getName()
                + " cannot be created with a no-argument constructor: "
                + e);
      }
      Class<? extends Exception>[] on = annotation.get().on();
      Method target = method.method();
      return Optional.of(
          (args, next) -> {
            try {
              return next.proceed(args);
            } catch (Exception failure) {
              if (!matches(failure, on)) {
                throw failure;
              }
              try {
                return target.invoke(fallback, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            }
          });
    }

    private static boolean matches(Exception failure, Class<? extends Exception>[] on) {
      for (Class<? extends Exception> type : on) {
        if (type.isInstance(failure)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Builds {@link Resilience}. */
  public static final class Builder {
    private final Map<String, CircuitBreakerConfig> breakerConfigs = new LinkedHashMap<>();
    private final Map<String, RetryConfig> retryConfigs = new LinkedHashMap<>();
    private final Map<String, BulkheadConfig> bulkheadConfigs = new LinkedHashMap<>();
    private final Map<String, RateLimiterConfig> rateLimiterConfigs = new LinkedHashMap<>();
    private @Nullable MeterRegistry meterRegistry;
    private BrownoutConfig config = BrownoutConfig.builder().declare(DegradeConfig.keys()).build();
    private final java.util.Set<String> defaultBreakers = new java.util.LinkedHashSet<>();
    private final java.util.Set<String> defaultRetries = new java.util.LinkedHashSet<>();

    private Builder() {}

    /** Declares a circuit breaker. */
    public Builder circuitBreaker(String name, CircuitBreakerConfig config) {
      breakerConfigs.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(config, "config"));
      return this;
    }

    /**
     * Declares a circuit breaker with the settings of {@code brownout.degrade.breaker.*} in {@link
     * #config} (read when {@link #build()} runs).
     */
    public Builder circuitBreaker(String name) {
      defaultBreakers.add(Objects.requireNonNull(name, "name"));
      return this;
    }

    private CircuitBreakerConfig defaultBreaker() {
      return DegradeConfig.countBased(
              config,
              DegradeConfig.BREAKER_FAILURE_RATE,
              DegradeConfig.BREAKER_WINDOW,
              DegradeConfig.BREAKER_MINIMUM_CALLS)
          .waitDurationInOpenState(config.getOrDefault(DegradeConfig.BREAKER_WAIT_IN_OPEN))
          .slowCallDurationThreshold(config.getOrDefault(DegradeConfig.BREAKER_SLOW_CALL))
          .build();
    }

    /**
     * Declares a retry with the settings of {@code brownout.degrade.retry.*} in {@link #config}
     * (read when {@link #build()} runs): exponential backoff with jitter, never retrying a call an
     * open breaker refused.
     */
    public Builder retry(String name) {
      defaultRetries.add(Objects.requireNonNull(name, "name"));
      return this;
    }

    private RetryConfig defaultRetry() {
      Duration wait = config.getOrDefault(DegradeConfig.RETRY_WAIT);
      return RetryConfig.custom()
          .maxAttempts(config.getOrDefault(DegradeConfig.RETRY_MAX_ATTEMPTS))
          .intervalFunction(
              wait.isZero()
                  ? io.github.resilience4j.core.IntervalFunction.of(Duration.ofMillis(1))
                  : io.github.resilience4j.core.IntervalFunction.ofExponentialRandomBackoff(
                      wait, 2.0, 0.5))
          .ignoreExceptions(CallNotPermittedException.class)
          .build();
    }

    /** The configuration that {@link #circuitBreaker(String)} and {@link #retry(String)} read. */
    public Builder config(BrownoutConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** Declares a retry policy. */
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

    /** Registers Resilience4j's meters for the breakers and retries on {@code registry}. */
    public Builder metrics(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** Builds it. */
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
