package dev.brownout.degrade;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.BrownoutClock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * An adaptive concurrency limit: how many calls may run at once, following the latency they take.
 *
 * <p>By Little's law a dependency that serves {@code X} calls a second at latency {@code R} holds
 * {@code X·R} of them at once; letting more in does not raise {@code X}, it only makes them wait,
 * so {@code R} grows and callers time out while the dependency works for nobody. The limiter keeps
 * the number in flight near that product: it remembers the no-load latency (the fastest calls have
 * been lately), and every window (a tenth of a second) compares the calls' average latency with it.
 * While the average stays within {@code tolerance} times the no-load latency and the limit is in
 * use, the limit grows by one; when the average goes beyond, the limit shrinks in proportion (at
 * most by half), and it shrinks by a tenth when calls time out. Calls beyond the limit are refused
 * at once, so they can fail over, fall back or be answered 503 while there is still time.
 *
 * <p>Each call carries a {@link Priority}; a priority may use only its {@linkplain Priority#share()
 * share} of the limit, so under overload the lowest are refused first.
 *
 * <p>The hot path allocates nothing and takes no lock: admission is one compare-and-set, and only a
 * sample of calls (enough for a few dozen per window) is timed. This is the same idea as Netflix's
 * concurrency-limits (gradient and Vegas limits), written for Brownout's priorities, meters and
 * clock.
 *
 * <pre>{@code
 * long permit = limiter.tryAcquire(Priority.NORMAL);
 * if (permit == ConcurrencyLimiter.REJECTED) { ...refuse... }
 * try { ...call...; limiter.onSuccess(permit); } catch (TimeoutException e) { limiter.onDropped(permit); throw e; }
 * }</pre>
 */
public final class ConcurrencyLimiter {
  /** What {@link #tryAcquire} returns when the call may not run. */
  public static final long REJECTED = Long.MIN_VALUE;

  /** A permit of a call that is not timed. */
  static final long UNTIMED = Long.MIN_VALUE + 1;

  /** How long the no-load latency remembers a faster past: it drifts up with this time constant. */
  static final Duration NO_LOAD_MEMORY = Duration.ofSeconds(30);

  /** Samples a window needs before the limit moves. */
  static final int MIN_SAMPLES = 8;

  private static final int TARGET_SAMPLES_LOW = 32;
  private static final int TARGET_SAMPLES_HIGH = 128;
  private static final int MAX_SAMPLE_MASK = 1023;
  private static final double DROP_BACKOFF = 0.9;
  private static final Priority[] PRIORITIES = Priority.values();

  private final String name;
  private final int minLimit;
  private final int maxLimit;
  private final double tolerance;
  private final long windowNanos;
  private final BrownoutClock clock;

  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile int limit;
  // thresholds[p.ordinal()]: the in-flight count below which priority p is admitted.
  private volatile int[] thresholds;
  // Time one call in (mask + 1), chosen per window so a window holds a few dozen samples.
  private volatile int sampleMask;
  private final LongAdder[] shed = new LongAdder[PRIORITIES.length];

  // The window being filled.
  private final AtomicLong windowSum = new AtomicLong();
  private final AtomicInteger windowSamples = new AtomicInteger();
  private final AtomicLong windowMin = new AtomicLong(Long.MAX_VALUE);
  private final AtomicInteger windowMaxInFlight = new AtomicInteger();
  private final AtomicInteger windowDrops = new AtomicInteger();
  private volatile long windowStart;
  private final AtomicBoolean updating = new AtomicBoolean();

  // Written under updating only.
  private double estimate;
  private volatile double noLoadNanos;
  private volatile double latencyNanos;

  private ConcurrencyLimiter(Builder builder) {
    this.name = builder.name;
    Settings settings = builder.settings;
    int initial = settings.get(DegradeConfig.CONCURRENCY_INITIAL_LIMIT);
    this.minLimit = settings.get(DegradeConfig.CONCURRENCY_MIN_LIMIT);
    this.maxLimit = settings.get(DegradeConfig.CONCURRENCY_MAX_LIMIT);
    if (minLimit > maxLimit || initial < minLimit || initial > maxLimit) {
      throw new IllegalArgumentException(
          "concurrency limiter "
              + name
              + ": the limits must be ordered min <= initial <= max but "
              + settings.describe(DegradeConfig.CONCURRENCY_MIN_LIMIT)
              + ", "
              + settings.describe(DegradeConfig.CONCURRENCY_INITIAL_LIMIT)
              + ", "
              + settings.describe(DegradeConfig.CONCURRENCY_MAX_LIMIT));
    }
    this.tolerance = settings.get(DegradeConfig.CONCURRENCY_TOLERANCE);
    this.windowNanos = settings.get(DegradeConfig.CONCURRENCY_WINDOW).toNanos();
    this.clock = builder.clock;
    for (int i = 0; i < shed.length; i++) {
      shed[i] = new LongAdder();
    }
    this.estimate = initial;
    setLimit(initial);
    this.windowStart = clock.nanoTime();
    BrownoutMetrics metrics = builder.metrics;
    metrics.gauge(OverloadMeters.LIMIT, this, ConcurrencyLimiter::limit, name);
    metrics.gauge(OverloadMeters.IN_FLIGHT, this, ConcurrencyLimiter::inFlight, name);
    metrics.gauge(OverloadMeters.NO_LOAD_LATENCY, this, l -> l.noLoadNanos / 1e9, name);
    metrics.gauge(OverloadMeters.LATENCY, this, l -> l.latencyNanos / 1e9, name);
    for (Priority priority : PRIORITIES) {
      metrics.functionCounter(
          OverloadMeters.SHED,
          shed[priority.ordinal()],
          LongAdder::doubleValue,
          name,
          priority.name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  /** Starts a limiter named {@code name} (a meter tag, and its name in the admin API). */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The limiter's name. */
  public String name() {
    return name;
  }

  /** The limit now. */
  public int limit() {
    return limit;
  }

  /** Calls admitted and not yet finished. */
  public int inFlight() {
    return inFlight.get();
  }

  /** The latency of the fastest calls lately, which the limit keeps latency near. */
  public Duration noLoadLatency() {
    return Duration.ofNanos((long) noLoadNanos);
  }

  /** The average latency of the last window. */
  public Duration latency() {
    return Duration.ofNanos((long) latencyNanos);
  }

  /** Calls of {@code priority} refused since the limiter was built. */
  public long shed(Priority priority) {
    return shed[priority.ordinal()].sum();
  }

  /** The in-flight count below which calls of {@code priority} are admitted now. */
  public int threshold(Priority priority) {
    return thresholds[priority.ordinal()];
  }

  /**
   * Admits a call of {@code priority} if there is room for it.
   *
   * @return a permit to hand to exactly one of {@link #onSuccess}, {@link #onDropped} or {@link
   *     #onIgnore} when the call ends, or {@link #REJECTED} (counted) if it may not run
   */
  public long tryAcquire(Priority priority) {
    int ordinal = priority.ordinal();
    int threshold = thresholds[ordinal];
    while (true) {
      int now = inFlight.get();
      if (now >= threshold) {
        shed[ordinal].increment();
        return REJECTED;
      }
      if (inFlight.compareAndSet(now, now + 1)) {
        break;
      }
    }
    int mask = sampleMask;
    if (mask != 0 && (ThreadLocalRandom.current().nextInt() & mask) != 0) {
      return UNTIMED;
    }
    return clock.nanoTime();
  }

  /** The call admitted with {@code permit} ended; its latency counts. */
  public void onSuccess(long permit) {
    int before = inFlight.getAndDecrement();
    if (permit == UNTIMED || permit == REJECTED) {
      return;
    }
    long now = clock.nanoTime();
    long rtt = Math.max(0, now - permit);
    windowSum.addAndGet(rtt);
    windowSamples.incrementAndGet();
    long min = windowMin.get();
    while (rtt < min && !windowMin.compareAndSet(min, rtt)) {
      min = windowMin.get();
    }
    int max = windowMaxInFlight.get();
    while (before > max && !windowMaxInFlight.compareAndSet(max, before)) {
      max = windowMaxInFlight.get();
    }
    maybeUpdate(now);
  }

  /**
   * The call admitted with {@code permit} ended in a sign of overload (it timed out, or the
   * dependency refused it as too busy): the limit backs off.
   */
  public void onDropped(long permit) {
    inFlight.decrementAndGet();
    windowDrops.incrementAndGet();
    maybeUpdate(clock.nanoTime());
  }

  /** The call admitted with {@code permit} ended in a way that says nothing about load. */
  public void onIgnore(long permit) {
    inFlight.decrementAndGet();
  }

  private void maybeUpdate(long now) {
    if (now - windowStart < windowNanos
        || (windowSamples.get() < MIN_SAMPLES && windowDrops.get() == 0)
        || !updating.compareAndSet(false, true)) {
      return;
    }
    try {
      update(now);
    } finally {
      updating.set(false);
    }
  }

  private void update(long now) {
    long elapsed = now - windowStart;
    windowStart = now;
    int samples = windowSamples.getAndSet(0);
    long sum = windowSum.getAndSet(0);
    long min = windowMin.getAndSet(Long.MAX_VALUE);
    int maxInFlight = windowMaxInFlight.getAndSet(0);
    int drops = windowDrops.getAndSet(0);
    // Enough samples for the next windows, few enough timed calls to cost nothing.
    int mask = sampleMask;
    if (samples > TARGET_SAMPLES_HIGH && mask < MAX_SAMPLE_MASK) {
      sampleMask = mask * 2 + 1;
    } else if (samples < TARGET_SAMPLES_LOW && mask > 0) {
      sampleMask = mask >> 1;
    }
    double next = estimate;
    if (samples > 0) {
      double average = (double) sum / samples;
      latencyNanos = average;
      double noLoad = noLoadNanos;
      if (noLoad == 0 || min < noLoad) {
        noLoad = min;
      } else {
        // Forget a faster past slowly, so a dependency that really got slower is followed.
        noLoad += (min - noLoad) * Math.min(1.0, (double) elapsed / NO_LOAD_MEMORY.toNanos());
      }
      noLoadNanos = noLoad;
      double target = noLoad * tolerance;
      if (average > target) {
        next = estimate * Math.max(0.5, target / average);
      } else if (drops == 0 && maxInFlight >= estimate * 0.5) {
        next = estimate + 1;
      }
    }
    if (drops > 0) {
      next = Math.min(next, estimate * DROP_BACKOFF);
    }
    estimate = Math.max(minLimit, Math.min(maxLimit, next));
    int rounded = (int) Math.round(estimate);
    if (rounded != limit) {
      setLimit(rounded);
    }
  }

  private void setLimit(int newLimit) {
    int[] next = new int[PRIORITIES.length];
    for (Priority priority : PRIORITIES) {
      next[priority.ordinal()] = priority.threshold(newLimit);
    }
    thresholds = next;
    limit = newLimit;
  }

  /** What the admin API shows. */
  Map<String, Object> view() {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("name", name);
    view.put("limit", limit);
    view.put("inFlight", inFlight());
    view.put("noLoadLatencyMillis", noLoadNanos / 1e6);
    view.put("latencyMillis", latencyNanos / 1e6);
    Map<String, Object> byPriority = new LinkedHashMap<>();
    for (Priority priority : PRIORITIES) {
      byPriority.put(
          priority.name().toLowerCase(java.util.Locale.ROOT),
          Map.of("admittedBelow", threshold(priority), "shed", shed(priority)));
    }
    view.put("priorities", byPriority);
    view.put(
        "settings",
        Map.of(
            "minLimit",
            minLimit,
            "maxLimit",
            maxLimit,
            "tolerance",
            tolerance,
            "windowMillis",
            windowNanos / 1_000_000.0));
    return view;
  }

  @Override
  public String toString() {
    return "ConcurrencyLimiter[" + name + " limit " + limit + ", in flight " + inFlight() + "]";
  }

  /** Builds a {@link ConcurrencyLimiter}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final Settings settings = Settings.of(keys());
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    private BrownoutClock clock = BrownoutClock.system();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("a concurrency limiter needs a name");
      }
    }

    static List<dev.brownout.core.config.ConfigKey<?>> keys() {
      return List.of(
          DegradeConfig.CONCURRENCY_INITIAL_LIMIT,
          DegradeConfig.CONCURRENCY_MIN_LIMIT,
          DegradeConfig.CONCURRENCY_MAX_LIMIT,
          DegradeConfig.CONCURRENCY_TOLERANCE,
          DegradeConfig.CONCURRENCY_WINDOW);
    }

    /** The limit before anything is measured ({@code …concurrency.initial-limit}). Default 20. */
    public Builder initialLimit(int limit) {
      settings.set(DegradeConfig.CONCURRENCY_INITIAL_LIMIT, limit);
      return this;
    }

    /** The lowest limit ({@code brownout.degrade.concurrency.min-limit}). Default 2. */
    public Builder minLimit(int limit) {
      settings.set(DegradeConfig.CONCURRENCY_MIN_LIMIT, limit);
      return this;
    }

    /** The highest limit ({@code brownout.degrade.concurrency.max-limit}). Default 1000. */
    public Builder maxLimit(int limit) {
      settings.set(DegradeConfig.CONCURRENCY_MAX_LIMIT, limit);
      return this;
    }

    /**
     * How much slower than no-load calls may get before the limit shrinks ({@code
     * brownout.degrade.concurrency.tolerance}). Default 1.5.
     */
    public Builder tolerance(double ratio) {
      settings.set(DegradeConfig.CONCURRENCY_TOLERANCE, ratio);
      return this;
    }

    /** How often the limit is recomputed ({@code …concurrency.window}). Default 100 ms. */
    public Builder window(Duration window) {
      settings.set(DegradeConfig.CONCURRENCY_WINDOW, window);
      return this;
    }

    /** Reads {@code brownout.degrade.concurrency.*} from {@code config}. */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    Builder settings(Settings from) {
      for (var key : keys()) {
        copy(from, key);
      }
      return this;
    }

    private <T> void copy(Settings from, dev.brownout.core.config.ConfigKey<T> key) {
      if (!from.origin(key).equals("default")) {
        settings.set(key, from.get(key));
      }
    }

    /** Where its meters ({@link OverloadMeters}) go. Default: in memory. */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** The ticker latencies are measured with. Default: the system's. */
    public Builder clock(BrownoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds it.
     *
     * @throws IllegalArgumentException if the limits are not ordered min, initial, max
     */
    public ConcurrencyLimiter build() {
      return new ConcurrencyLimiter(this);
    }
  }
}
