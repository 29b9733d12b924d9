package dev.brownout.degrade;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.metrics.MeterSpec;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.StateException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.circuitbreaker.IllegalStateTransitionException;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Automatic browse-only mode: watches the write path (the primary database, or any dependency
 * writes need) and puts the application in browse-only mode when it fails, then back when a probe
 * finds it working.
 *
 * <p>Failures reported with {@link #recordFailure(Throwable)} are classified ({@link SqlFailures}
 * by default): a "read-only" failure trips the write path at once; connection failures feed a
 * Resilience4j circuit breaker named {@value #BREAKER_NAME}, which trips when their rate passes the
 * threshold; other failures are the application's and count for nothing. {@link
 * WritePathDataSource} reports every JDBC call, so an application gets all of this by wrapping its
 * {@code DataSource}.
 *
 * <p>Tripping adds this server's own automatic reason, {@code auto:write-path:<server id>}, to the
 * {@link ReadMode}, with a lease; by default it makes only this server browse-only, and how it
 * affects the others is {@code brownout.degrade.write-path.fleet} ({@link FleetMode}: own, any,
 * quorum). While tripped, the {@link WriteProbe} runs every probe interval, with ±50% jitter so
 * servers do not probe in step: each failed probe renews the lease, the first successful one closes
 * the breaker and removes this server's reason, and only this server's. If this server dies
 * meanwhile the lease lapses by itself.
 */
public final class WritePath implements AutoCloseable {
  /** The circuit breaker's name, and its meters' {@code name} tag. */
  public static final String BREAKER_NAME = "write-path";

  /**
   * The start of the id of the read-only reason the write path sets: each server's is its own,
   * {@code auto:write-path:<server id>}.
   */
  public static final String REASON_ID = "auto:write-path";

  /** Trips and recoveries. */
  public static final MeterSpec TRANSITIONS =
      MeterSpec.counter(
          "brownout.degrade.write_path.transitions",
          "Write-path transitions: tripped (browse-only entered), recovered (a probe succeeded).",
          "transition");

  /** Probe outcomes. */
  public static final MeterSpec PROBES =
      MeterSpec.counter(
          "brownout.degrade.write_path.probes",
          "Write-path probes while tripped, by outcome: writable, not-writable.",
          "outcome");

  private static final Logger log = LoggerFactory.getLogger(WritePath.class);

  private final ReadMode readMode;
  private final WriteProbe probe;
  private final Function<Throwable, SqlFailures.Kind> classifier;
  private final BrownoutClock clock;
  private final BrownoutMetrics metrics;
  private final Duration lease;
  private final Duration probeInterval;
  private final String message;
  private final CircuitBreaker breaker;
  private final ScheduledExecutorService prober;
  private final String reasonId;
  private boolean probing;
  private boolean reasonSet;

  private WritePath(Builder builder) {
    this.readMode = builder.readMode;
    this.reasonId = REASON_ID + ":" + readMode.serverId();
    this.probe = builder.probe;
    this.classifier = builder.classifier;
    this.clock = builder.clock;
    this.metrics = builder.metrics;
    Settings settings = builder.settings;
    this.lease = settings.get(DegradeConfig.WRITE_PATH_LEASE);
    this.probeInterval = settings.get(DegradeConfig.WRITE_PATH_PROBE_INTERVAL);
    if (lease.compareTo(probeInterval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          settings.describe(DegradeConfig.WRITE_PATH_LEASE)
              + " must be at least twice "
              + settings.describe(DegradeConfig.WRITE_PATH_PROBE_INTERVAL)
              + ", or the reason lapses between probes; raise the lease or probe more often");
    }
    this.message = settings.get(DegradeConfig.WRITE_PATH_MESSAGE);
    CircuitBreakerRegistry registry =
        CircuitBreakerRegistry.of(
            DegradeConfig.countBased(
                    settings,
                    DegradeConfig.WRITE_PATH_FAILURE_RATE,
                    DegradeConfig.WRITE_PATH_WINDOW,
                    DegradeConfig.WRITE_PATH_MINIMUM_CALLS)
                // The probe, not a timer, decides when the write path is back.
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .waitDurationInOpenState(Duration.ofDays(1))
                .build());
    this.breaker = registry.circuitBreaker(BREAKER_NAME);
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(metrics.registry());
    this.prober =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("brownout-write-probe"));
    breaker
        .getEventPublisher()
        .onStateTransition(
            event -> {
              if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                trip();
              }
            });
  }

  /**
   * Starts a builder: {@code readMode} is put in browse-only mode when the write path fails, and
   * {@code probe} tells when it works again.
   */
  public static Builder builder(ReadMode readMode, WriteProbe probe) {
    return new Builder(readMode, probe);
  }

  /** A write succeeded. */
  public void recordSuccess() {
    if (breaker.getState() == CircuitBreaker.State.CLOSED) {
      breaker.onSuccess(0, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * A call on the write path failed; what it means depends on its classification. When this returns
   * after a failure that trips the write path (or finds it tripped), the application is already
   * browse-only, so the caller can check {@link ReadMode#checkWritable} at once.
   */
  public void recordFailure(Throwable failure) {
    SqlFailures.Kind kind = classifier.apply(failure);
    if (kind == SqlFailures.Kind.OTHER) {
      return;
    }
    if (breaker.getState() == CircuitBreaker.State.CLOSED) {
      if (kind == SqlFailures.Kind.READ_ONLY) {
        log.warn(
            "The write path refuses writes ({}); entering browse-only mode", failure.toString());
        try {
          breaker.transitionToOpenState();
        } catch (IllegalStateTransitionException e) {
          // another call opened it at the same moment
        }
      } else {
        breaker.onError(0, TimeUnit.NANOSECONDS, failure);
      }
    }
    if (breaker.getState() != CircuitBreaker.State.CLOSED) {
      trip();
    }
  }

  /** The id of this server's automatic reason: {@code auto:write-path:<server id>}. */
  public String reasonId() {
    return reasonId;
  }

  /** Whether the write path is tripped (this server set, or holds, the automatic reason). */
  public boolean tripped() {
    return breaker.getState() != CircuitBreaker.State.CLOSED;
  }

  /** The breaker's state, for admin views. */
  public CircuitBreaker.State state() {
    return breaker.getState();
  }

  /**
   * Runs the probe once now; if the write path works, closes the breaker and leaves browse-only.
   *
   * @return whether the write path is working
   */
  public boolean probeNow() {
    if (!tripped()) {
      return true;
    }
    boolean writable;
    try {
      writable = probe.writable();
    } catch (Exception e) {
      log.debug("Write probe failed: {}", e.toString());
      writable = false;
    }
    metrics.counter(PROBES, writable ? "writable" : "not-writable").increment();
    Instant now = clock.instant();
    if (writable) {
      synchronized (this) {
        reasonSet = false;
      }
      breaker.transitionToClosedState();
      metrics.counter(TRANSITIONS, "recovered").increment();
      try {
        readMode.leave(reasonId);
        log.info("The write path works again; leaving browse-only mode");
      } catch (StateException e) {
        // The local reason is gone; the shared one lapses with its lease.
        log.warn("Write path recovered, but the store cannot be told: {}", e.getMessage());
      }
      return true;
    }
    try {
      readMode.renew(reasonId, now.plus(lease));
    } catch (StateException e) {
      log.debug("Cannot renew the write-path reason in the store: {}", e.getMessage());
    }
    return false;
  }

  /** Sets the automatic reason, once per trip; returns only when it is set. */
  private synchronized void trip() {
    if (reasonSet) {
      return;
    }
    reasonSet = true;
    metrics.counter(TRANSITIONS, "tripped").increment();
    Instant now = clock.instant();
    ReadOnlyReason reason =
        ReadOnlyReason.builder(reasonId, ReadOnlyReason.Kind.AUTOMATIC)
            .source("write-path breaker on " + readMode.serverId())
            .server(readMode.serverId())
            .since(now)
            .message(message)
            .leaseUntil(now.plus(lease))
            .build();
    try {
      readMode.enter(reason);
    } catch (StateException e) {
      log.warn(
          "The store cannot be told the write path failed; browse-only here: {}", e.getMessage());
    }
    scheduleProbe();
  }

  private synchronized void scheduleProbe() {
    if (probing || prober.isShutdown()) {
      return;
    }
    probing = true;
    long base = probeInterval.toMillis();
    long delay = base / 2 + ThreadLocalRandom.current().nextLong(base + 1);
    prober.schedule(
        () -> {
          synchronized (this) {
            probing = false;
          }
          if (!probeNow()) {
            scheduleProbe();
          }
        },
        delay,
        TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    prober.shutdownNow();
  }

  /** Builds a {@link WritePath}. Not thread-safe. */
  public static final class Builder {
    private final ReadMode readMode;
    private final WriteProbe probe;
    private final Settings settings =
        Settings.of(
            List.of(
                DegradeConfig.WRITE_PATH_FAILURE_RATE,
                DegradeConfig.WRITE_PATH_WINDOW,
                DegradeConfig.WRITE_PATH_MINIMUM_CALLS,
                DegradeConfig.WRITE_PATH_LEASE,
                DegradeConfig.WRITE_PATH_PROBE_INTERVAL,
                DegradeConfig.WRITE_PATH_MESSAGE));
    private Function<Throwable, SqlFailures.Kind> classifier = SqlFailures::classify;
    private BrownoutClock clock = BrownoutClock.system();
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();

    private Builder(ReadMode readMode, WriteProbe probe) {
      this.readMode =
          Objects.requireNonNull(
              readMode,
              "WritePath.builder(readMode, probe) needs the ReadMode to put in browse-only");
      this.probe =
          Objects.requireNonNull(
              probe,
              "WritePath.builder(readMode, probe) needs a probe that tells writes work again");
    }

    /**
     * Percentage of failing calls over the window that trips the write path ({@code
     * brownout.degrade.write-path.failure-rate}). Default 50.
     */
    public Builder failureRate(double percent) {
      settings.set(DegradeConfig.WRITE_PATH_FAILURE_RATE, percent);
      return this;
    }

    /** Calls the failure rate is computed over ({@code brownout.degrade.write-path.window}). */
    public Builder window(int calls) {
      settings.set(DegradeConfig.WRITE_PATH_WINDOW, calls);
      return this;
    }

    /** Calls needed before the rate counts ({@code brownout.degrade.write-path.minimum-calls}). */
    public Builder minimumCalls(int calls) {
      settings.set(DegradeConfig.WRITE_PATH_MINIMUM_CALLS, calls);
      return this;
    }

    /** How long the automatic reason lasts unless renewed ({@code …write-path.lease}). */
    public Builder lease(Duration lease) {
      settings.set(DegradeConfig.WRITE_PATH_LEASE, lease);
      return this;
    }

    /** How often a tripped write path is probed ({@code …write-path.probe-interval}). */
    public Builder probeInterval(Duration interval) {
      settings.set(DegradeConfig.WRITE_PATH_PROBE_INTERVAL, interval);
      return this;
    }

    /** What users are told while tripped ({@code brownout.degrade.write-path.message}). */
    public Builder message(String message) {
      settings.set(DegradeConfig.WRITE_PATH_MESSAGE, message);
      return this;
    }

    /** Reads {@code brownout.degrade.write-path.*} from {@code config}; setters win. */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    /** How failures are classified; default {@link SqlFailures#classify}. */
    public Builder classifier(Function<Throwable, SqlFailures.Kind> classifier) {
      this.classifier = Objects.requireNonNull(classifier, "classifier");
      return this;
    }

    /** The clock. */
    public Builder clock(BrownoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Brownout's meters, and Resilience4j's breaker meters into the same registry. */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * Builds and starts watching.
     *
     * @throws IllegalArgumentException if the settings are inconsistent, naming them
     */
    public WritePath build() {
      return new WritePath(this);
    }
  }
}
