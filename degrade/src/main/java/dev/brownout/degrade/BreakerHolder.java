package dev.brownout.degrade;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * A declared breaker as the guards use it: the Resilience4j breaker in force (live reconfiguration
 * replaces it, and a guard picks the new one up on its next call), and its call meters.
 *
 * <p>The meters are Resilience4j's own, by name, tags and type ({@code
 * resilience4j.circuitbreaker.calls} timers by {@code kind}, {@code .not.permitted.calls}, {@code
 * .state}, {@code .buffered.calls}, {@code .slow.calls}, {@code .failure.rate}, {@code
 * .slow.call.rate}), so they sit beside Resilience4j's Spring module in one registry. But the calls
 * are recorded here, by the guard that made them: Resilience4j's Micrometer binding listens to an
 * event object per call (with a {@code ZonedDateTime} in it), which cost more than the breaker
 * itself, and with no listener on the breaker Resilience4j makes no event at all. Unlike that
 * binding, the timers keep counting across a reconfiguration instead of starting from zero.
 */
final class BreakerHolder {
  private static final String CALLS = "resilience4j.circuitbreaker.calls";

  private final String name;
  private final AtomicReference<CircuitBreaker> current;
  // Null when calls are not timed (brownout.degrade.metrics.call-timers=false).
  private final @Nullable Timer successful;
  private final @Nullable Timer failed;
  private final @Nullable Timer ignored;
  private final Counter notPermitted;

  /**
   * Holds {@code breaker} and registers its meters in {@code registry}; its calls are timed if
   * {@code timed}.
   */
  BreakerHolder(CircuitBreaker breaker, MeterRegistry registry, boolean timed) {
    this.name = breaker.getName();
    this.current = new AtomicReference<>(breaker);
    this.successful =
        timed ? timer(registry, "successful", "Total number of successful calls") : null;
    this.failed = timed ? timer(registry, "failed", "Total number of failed calls") : null;
    this.ignored =
        timed
            ? timer(
                registry,
                "ignored",
                "Total number of calls which failed but the exception was ignored")
            : null;
    this.notPermitted =
        Counter.builder("resilience4j.circuitbreaker.not.permitted.calls")
            .description("Total number of not permitted calls")
            .tag("name", name)
            .tag("kind", "not_permitted")
            .register(registry);
    bindGauges(registry);
  }

  /** The breaker in force. */
  CircuitBreaker get() {
    return current.get();
  }

  /** Puts {@code breaker} in force (a reconfiguration). */
  void set(CircuitBreaker breaker) {
    current.set(breaker);
  }

  /** Asks {@code breaker} for a permit, counting a refusal. */
  boolean tryAcquirePermission(CircuitBreaker breaker) {
    if (breaker.tryAcquirePermission()) {
      return true;
    }
    notPermitted.increment();
    return false;
  }

  /**
   * Records a call that returned {@code result}, started at {@code start} (the breaker's
   * timestamp), as Resilience4j's {@code onResult} classifies it.
   */
  void onResult(CircuitBreaker breaker, long start, @Nullable Object result) {
    long took = breaker.getCurrentTimestamp() - start;
    TimeUnit unit = breaker.getTimestampUnit();
    breaker.onResult(took, unit, result);
    Timer success = successful;
    if (success == null || failed == null) {
      return;
    }
    long nanos = unit.toNanos(took);
    if (result != null
        && breaker.getCircuitBreakerConfig().getRecordResultPredicate().test(result)) {
      failed.record(nanos, TimeUnit.NANOSECONDS);
    } else {
      success.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Records a call that threw {@code failure}, started at {@code start}, as Resilience4j's {@code
   * onError} classifies it: ignored, failed, or (an exception it does not record) successful.
   */
  void onError(CircuitBreaker breaker, long start, Throwable failure) {
    long took = breaker.getCurrentTimestamp() - start;
    TimeUnit unit = breaker.getTimestampUnit();
    breaker.onError(took, unit, failure);
    if (successful == null || failed == null || ignored == null) {
      return;
    }
    long nanos = unit.toNanos(took);
    Throwable cause = failure;
    if ((failure instanceof CompletionException || failure instanceof ExecutionException)
        && failure.getCause() != null) {
      cause = failure.getCause();
    }
    CircuitBreakerConfig config = breaker.getCircuitBreakerConfig();
    if (config.getIgnoreExceptionPredicate().test(cause)) {
      ignored.record(nanos, TimeUnit.NANOSECONDS);
    } else if (config.getRecordExceptionPredicate().test(cause)) {
      failed.record(nanos, TimeUnit.NANOSECONDS);
    } else {
      successful.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  private void bindGauges(MeterRegistry registry) {
    for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
      Gauge.builder(
              "resilience4j.circuitbreaker.state",
              this,
              holder -> holder.get().getState() == state ? 1 : 0)
          .description("The states of the circuit breaker")
          .tag("name", name)
          .tag("state", state.name().toLowerCase(Locale.ROOT))
          .strongReference(true)
          .register(registry);
    }
    gauge(
        registry,
        "resilience4j.circuitbreaker.buffered.calls",
        "failed",
        "The number of buffered failed calls stored in the ring buffer",
        breaker -> breaker.getMetrics().getNumberOfFailedCalls());
    gauge(
        registry,
        "resilience4j.circuitbreaker.buffered.calls",
        "successful",
        "The number of buffered successful calls stored in the ring buffer",
        breaker -> breaker.getMetrics().getNumberOfSuccessfulCalls());
    gauge(
        registry,
        "resilience4j.circuitbreaker.slow.calls",
        "successful",
        "The number of slow successful which were slower than a certain threshold",
        breaker -> breaker.getMetrics().getNumberOfSlowSuccessfulCalls());
    gauge(
        registry,
        "resilience4j.circuitbreaker.slow.calls",
        "failed",
        "The number of slow failed calls which were slower than a certain threshold",
        breaker -> breaker.getMetrics().getNumberOfSlowFailedCalls());
    gauge(
        registry,
        "resilience4j.circuitbreaker.failure.rate",
        null,
        "The failure rate of the circuit breaker",
        breaker -> breaker.getMetrics().getFailureRate());
    gauge(
        registry,
        "resilience4j.circuitbreaker.slow.call.rate",
        null,
        "The slow call of the circuit breaker",
        breaker -> breaker.getMetrics().getSlowCallRate());
  }

  private Timer timer(MeterRegistry registry, String kind, String description) {
    return Timer.builder(CALLS)
        .description(description)
        .tag("name", name)
        .tag("kind", kind)
        .register(registry);
  }

  private void gauge(
      MeterRegistry registry,
      String meter,
      @Nullable String kind,
      String description,
      ToDoubleFunction<CircuitBreaker> value) {
    Gauge.Builder<BreakerHolder> builder =
        Gauge.builder(meter, this, holder -> value.applyAsDouble(holder.get()))
            .description(description)
            .tag("name", name)
            .strongReference(true);
    if (kind != null) {
      builder.tag("kind", kind);
    }
    builder.register(registry);
  }
}
