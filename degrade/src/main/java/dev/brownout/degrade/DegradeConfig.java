package dev.brownout.degrade;

import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.Settings;
import dev.brownout.core.config.ValueType;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.List;

/** The configuration keys of the degrade module; every one has a working default. */
public final class DegradeConfig {
  private DegradeConfig() {}

  /** How often read-only reasons are re-read. */
  public static final ConfigKey<Duration> READ_MODE_REFRESH_INTERVAL =
      ConfigKey.of(
              "brownout.degrade.read-mode.refresh-interval",
              ValueType.duration(Duration.ofMillis(10), Duration.ofHours(1)))
          .defaultValue(Duration.ofSeconds(1))
          .doc(
              "How often each server re-reads the read-only reasons and re-checks their leases,"
                  + " besides the store's change notifications: the most a server can lag behind"
                  + " a reason whose notification was lost.")
          .build();

  /** How one server's automatic reason affects the others. */
  public static final ConfigKey<FleetMode> WRITE_PATH_FLEET =
      ConfigKey.of("brownout.degrade.write-path.fleet", ValueType.enumeration(FleetMode.class))
          .defaultValue(FleetMode.OWN)
          .doc(
              "How one server's automatic browse-only reason (its write path failing) affects the"
                  + " others: own (only that server is browse-only), any (every server is), or"
                  + " quorum (every server is while more than brownout.degrade.write-path.quorum"
                  + " of the live servers report it). Manual and maintenance reasons always hold"
                  + " for the whole fleet.")
          .build();

  /** The share of live servers that makes the fleet browse-only in quorum mode. */
  public static final ConfigKey<Double> WRITE_PATH_QUORUM =
      ConfigKey.of("brownout.degrade.write-path.quorum", ValueType.decimal(0, 1))
          .defaultValue(0.5)
          .doc(
              "In quorum mode, the share of live servers whose write path must be failing (more"
                  + " than this) for every server to be browse-only.")
          .build();

  /** Failure rate that trips the write path. */
  public static final ConfigKey<Double> WRITE_PATH_FAILURE_RATE =
      ConfigKey.of("brownout.degrade.write-path.failure-rate", ValueType.decimal(1, 100))
          .defaultValue(50.0)
          .doc(
              "Percentage of write-path calls failing to connect, over the window, that enters"
                  + " browse-only mode. A read-only failure trips at once whatever the rate.")
          .build();

  /** Calls in the window. */
  public static final ConfigKey<Integer> WRITE_PATH_WINDOW =
      ConfigKey.of("brownout.degrade.write-path.window", ValueType.integer(1, 10_000))
          .defaultValue(20)
          .doc("How many of the latest write-path calls the failure rate is computed over.")
          .build();

  /** Calls before the rate counts. */
  public static final ConfigKey<Integer> WRITE_PATH_MINIMUM_CALLS =
      ConfigKey.of("brownout.degrade.write-path.minimum-calls", ValueType.integer(1, 10_000))
          .defaultValue(5)
          .doc("How many calls the window needs before its failure rate can trip the write path.")
          .build();

  /** The automatic reason's lease. */
  public static final ConfigKey<Duration> WRITE_PATH_LEASE =
      ConfigKey.of(
              "brownout.degrade.write-path.lease",
              ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)))
          .defaultValue(Duration.ofSeconds(30))
          .doc(
              "How long the automatic browse-only reason lasts unless a failing probe renews it:"
                  + " if the server that set it dies, the others return to read-write after this.")
          .build();

  /** Probe period. */
  public static final ConfigKey<Duration> WRITE_PATH_PROBE_INTERVAL =
      ConfigKey.of(
              "brownout.degrade.write-path.probe-interval",
              ValueType.duration(Duration.ofMillis(50), Duration.ofMinutes(10)))
          .defaultValue(Duration.ofSeconds(2))
          .doc(
              "How often, with ±50% jitter, a tripped write path is probed; the first successful"
                  + " probe leaves browse-only mode.")
          .build();

  /** What users are told. */
  public static final ConfigKey<String> WRITE_PATH_MESSAGE =
      ConfigKey.of("brownout.degrade.write-path.message", ValueType.string())
          .defaultValue("Changes are paused for a moment while we recover; you can keep browsing.")
          .doc("What users are told while the write path is tripped (the 503's detail).")
          .build();

  /** Default breaker failure rate. */
  public static final ConfigKey<Double> BREAKER_FAILURE_RATE =
      ConfigKey.of("brownout.degrade.breaker.failure-rate", ValueType.decimal(1, 100))
          .defaultValue(50.0)
          .doc("Circuit breakers declared by name only: percentage of failed calls that opens one.")
          .build();

  /** Default breaker window. */
  public static final ConfigKey<Integer> BREAKER_WINDOW =
      ConfigKey.of("brownout.degrade.breaker.window", ValueType.integer(1, 10_000))
          .defaultValue(20)
          .doc("Circuit breakers declared by name only: how many recent calls the rates cover.")
          .build();

  /** Default breaker minimum calls. */
  public static final ConfigKey<Integer> BREAKER_MINIMUM_CALLS =
      ConfigKey.of("brownout.degrade.breaker.minimum-calls", ValueType.integer(1, 10_000))
          .defaultValue(10)
          .doc("Circuit breakers declared by name only: calls needed before the rates count.")
          .build();

  /** Default breaker open time. */
  public static final ConfigKey<Duration> BREAKER_WAIT_IN_OPEN =
      ConfigKey.of(
              "brownout.degrade.breaker.wait-in-open",
              ValueType.duration(Duration.ofMillis(1), Duration.ofHours(1)))
          .defaultValue(Duration.ofSeconds(30))
          .doc(
              "Circuit breakers declared by name only: how long one stays open before letting"
                  + " trial calls through (half-open).")
          .build();

  /** Default slow call. */
  public static final ConfigKey<Duration> BREAKER_SLOW_CALL =
      ConfigKey.of(
              "brownout.degrade.breaker.slow-call",
              ValueType.duration(Duration.ofMillis(1), Duration.ofMinutes(10)))
          .defaultValue(Duration.ofSeconds(5))
          .doc(
              "Circuit breakers declared by name only: a call slower than this counts as slow;"
                  + " 100% slow calls open the breaker.")
          .build();

  /** Default retry attempts. */
  public static final ConfigKey<Integer> RETRY_MAX_ATTEMPTS =
      ConfigKey.of("brownout.degrade.retry.max-attempts", ValueType.integer(1, 100))
          .defaultValue(3)
          .doc("Retries declared by name only: attempts in all, the first included.")
          .build();

  /** Default retry wait. */
  public static final ConfigKey<Duration> RETRY_WAIT =
      ConfigKey.of(
              "brownout.degrade.retry.wait",
              ValueType.duration(Duration.ZERO, Duration.ofMinutes(1)))
          .defaultValue(Duration.ofMillis(200))
          .doc(
              "Retries declared by name only: the first wait between attempts, doubled each time"
                  + " with ±50% jitter.")
          .build();

  /** The retry budget's share of calls. */
  public static final ConfigKey<Double> RETRY_BUDGET_RATIO =
      ConfigKey.of("brownout.degrade.retry.budget.ratio", ValueType.decimal(0, 10))
          .defaultValue(0.2)
          .doc(
              "Retries (and failovers to the next provider) allowed as a share of recent calls,"
                  + " per retry or failover chain: with 0.2, at most 20% more calls reach a"
                  + " failing vendor than the application makes, so retries cannot multiply its"
                  + " brownout into an outage.")
          .build();

  /** Retries a second the budget always allows. */
  public static final ConfigKey<Double> RETRY_BUDGET_MIN_PER_SECOND =
      ConfigKey.of("brownout.degrade.retry.budget.min-per-second", ValueType.decimal(0, 100_000))
          .defaultValue(10.0)
          .doc(
              "Retries a second always allowed per retry or failover chain, however few calls it"
                  + " has, so a quiet service can still retry.")
          .build();

  /** Threads for synchronous timeouts. */
  public static final ConfigKey<Integer> TIMEOUT_MAX_THREADS =
      ConfigKey.of("brownout.degrade.timeout.max-threads", ValueType.integer(1, 10_000))
          .defaultValue(100)
          .doc(
              "Threads that synchronous @Timeout attempts run on, at most (virtual threads on JDK"
                  + " 21+). An attempt keeps its thread until it really ends, even after its caller"
                  + " stopped waiting, so a vendor that hangs deaf to interrupts holds at most this"
                  + " many; further calls are refused at once (CallRejectedException).")
          .build();

  /** How often stored controls are re-read. */
  public static final ConfigKey<Duration> CONTROL_REFRESH_INTERVAL =
      ConfigKey.of(
              "brownout.degrade.control.refresh-interval",
              ValueType.duration(Duration.ofMillis(10), Duration.ofHours(1)))
          .defaultValue(Duration.ofSeconds(5))
          .doc(
              "How often each server re-reads the operators' controls of guards (forced breakers,"
                  + " changed settings) besides the store's change notifications.")
          .build();

  /** Adaptive concurrency limits: the limit a limiter starts from. */
  public static final ConfigKey<Integer> CONCURRENCY_INITIAL_LIMIT =
      ConfigKey.of("brownout.degrade.concurrency.initial-limit", ValueType.integer(1, 100_000))
          .defaultValue(20)
          .doc(
              "Adaptive concurrency limits: how many calls (or requests) may run at once before"
                  + " the limiter has measured anything; it moves from there with the latency it"
                  + " sees.")
          .build();

  /** The lowest the adaptive limit goes. */
  public static final ConfigKey<Integer> CONCURRENCY_MIN_LIMIT =
      ConfigKey.of("brownout.degrade.concurrency.min-limit", ValueType.integer(1, 100_000))
          .defaultValue(2)
          .doc(
              "Adaptive concurrency limits: the lowest the limit goes, however slow the"
                  + " dependency gets, so a few calls always probe it.")
          .build();

  /** The highest the adaptive limit goes. */
  public static final ConfigKey<Integer> CONCURRENCY_MAX_LIMIT =
      ConfigKey.of("brownout.degrade.concurrency.max-limit", ValueType.integer(1, 100_000))
          .defaultValue(1000)
          .doc("Adaptive concurrency limits: the highest the limit goes.")
          .build();

  /** How much slower than no-load latency is tolerated. */
  public static final ConfigKey<Double> CONCURRENCY_TOLERANCE =
      ConfigKey.of("brownout.degrade.concurrency.tolerance", ValueType.decimal(1, 10))
          .defaultValue(1.5)
          .doc(
              "Adaptive concurrency limits: how much slower than the no-load latency calls may"
                  + " get before the limit shrinks (1.5: half as slow again). Lower keeps latency"
                  + " closer to the no-load latency and sheds sooner.")
          .build();

  /** How long a sampling window lasts. */
  public static final ConfigKey<Duration> CONCURRENCY_WINDOW =
      ConfigKey.of(
              "brownout.degrade.concurrency.window",
              ValueType.duration(Duration.ofMillis(1), Duration.ofSeconds(10)))
          .defaultValue(Duration.ofMillis(100))
          .doc(
              "Adaptive concurrency limits: how often the limit is recomputed from the latencies"
                  + " measured since (a window ends once it holds a few samples).")
          .build();

  /** Retry-After of a request the inbound limiter sheds. */
  public static final ConfigKey<Duration> CONCURRENCY_RETRY_AFTER =
      ConfigKey.of(
              "brownout.degrade.concurrency.retry-after",
              ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)))
          .defaultValue(Duration.ofSeconds(1))
          .doc("The Retry-After of the 503 that a request shed by ConcurrencyLimitFilter gets.")
          .build();

  /** How long the overload browse-only reason holds after reads were last shed. */
  public static final ConfigKey<Duration> CONCURRENCY_BROWSE_ONLY_HOLD =
      ConfigKey.of(
              "brownout.degrade.concurrency.browse-only-hold",
              ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)))
          .defaultValue(Duration.ofSeconds(30))
          .doc(
              "When ConcurrencyLimitFilter enters browse-only before shedding reads: how long this"
                  + " server stays browse-only after reads were last shed (a lease, renewed while"
                  + " the overload lasts).")
          .build();

  /** Whether fault injection may run. */
  public static final ConfigKey<Boolean> FAULTS_ENABLED =
      ConfigKey.of("brownout.degrade.faults.enabled", ValueType.bool())
          .defaultValue(false)
          .doc(
              "Whether fault-injection experiments (game days) may be started on this server."
                  + " Off by default: the admin API refuses every experiment, and the fault"
                  + " guards are not even installed.")
          .build();

  /** Whether each guarded call through a breaker is timed. */
  public static final ConfigKey<Boolean> CALL_TIMERS =
      ConfigKey.of("brownout.degrade.metrics.call-timers", ValueType.bool())
          .defaultValue(true)
          .doc(
              "Whether each call through a circuit breaker is timed in the"
                  + " resilience4j.circuitbreaker.calls timers (by kind: successful, failed,"
                  + " ignored). A timer reads the wall clock and updates three counters on every"
                  + " call, most of what a guard costs above the breaker itself; switch it off for"
                  + " the hottest in-process calls and the breakers' state, rate and buffered-call"
                  + " gauges remain.")
          .build();

  /** The longest an experiment may run. */
  public static final ConfigKey<Duration> FAULTS_MAX_DURATION =
      ConfigKey.of(
              "brownout.degrade.faults.max-duration",
              ValueType.duration(Duration.ofSeconds(1), Duration.ofDays(1)))
          .defaultValue(Duration.ofHours(1))
          .doc(
              "The longest duration a fault-injection experiment may declare; it stops by itself"
                  + " on every server when it runs out.")
          .build();

  /** The most latency an experiment may inject. */
  public static final ConfigKey<Duration> FAULTS_MAX_LATENCY =
      ConfigKey.of(
              "brownout.degrade.faults.max-latency",
              ValueType.duration(Duration.ofMillis(1), Duration.ofMinutes(10)))
          .defaultValue(Duration.ofSeconds(30))
          .doc("The most latency one fault-injection experiment may add to a call.")
          .build();

  /** How often experiments are re-read. */
  public static final ConfigKey<Duration> FAULTS_REFRESH_INTERVAL =
      ConfigKey.of(
              "brownout.degrade.faults.refresh-interval",
              ValueType.duration(Duration.ofMillis(10), Duration.ofMinutes(10)))
          .defaultValue(Duration.ofSeconds(1))
          .doc(
              "How often each server re-reads the running experiments besides the store's change"
                  + " notifications, and removes (and audits) the ones that ran out.")
          .build();

  /**
   * A count-based breaker's rate and window from three keys, checked: the minimum number of calls
   * cannot exceed the window.
   *
   * @throws IllegalArgumentException naming both keys if it does
   */
  static CircuitBreakerConfig.Builder countBased(
      Settings settings,
      ConfigKey<Double> rateKey,
      ConfigKey<Integer> windowKey,
      ConfigKey<Integer> minimumKey) {
    int window = settings.get(windowKey);
    int minimum = settings.get(minimumKey);
    if (minimum > window) {
      throw new IllegalArgumentException(
          settings.describe(minimumKey)
              + " cannot exceed "
              + settings.describe(windowKey)
              + "; lower the one or raise the other");
    }
    return CircuitBreakerConfig.custom()
        .failureRateThreshold(settings.get(rateKey).floatValue())
        .slidingWindow(window, minimum, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED);
  }

  /** Every key. */
  public static List<ConfigKey<?>> keys() {
    return List.of(
        CALL_TIMERS,
        READ_MODE_REFRESH_INTERVAL,
        WRITE_PATH_FLEET,
        WRITE_PATH_QUORUM,
        WRITE_PATH_FAILURE_RATE,
        WRITE_PATH_WINDOW,
        WRITE_PATH_MINIMUM_CALLS,
        WRITE_PATH_LEASE,
        WRITE_PATH_PROBE_INTERVAL,
        WRITE_PATH_MESSAGE,
        BREAKER_FAILURE_RATE,
        BREAKER_WINDOW,
        BREAKER_MINIMUM_CALLS,
        BREAKER_WAIT_IN_OPEN,
        BREAKER_SLOW_CALL,
        RETRY_MAX_ATTEMPTS,
        RETRY_WAIT,
        RETRY_BUDGET_RATIO,
        RETRY_BUDGET_MIN_PER_SECOND,
        TIMEOUT_MAX_THREADS,
        CONTROL_REFRESH_INTERVAL,
        CONCURRENCY_INITIAL_LIMIT,
        CONCURRENCY_MIN_LIMIT,
        CONCURRENCY_MAX_LIMIT,
        CONCURRENCY_TOLERANCE,
        CONCURRENCY_WINDOW,
        CONCURRENCY_RETRY_AFTER,
        CONCURRENCY_BROWSE_ONLY_HOLD,
        FAULTS_ENABLED,
        FAULTS_MAX_DURATION,
        FAULTS_MAX_LATENCY,
        FAULTS_REFRESH_INTERVAL);
  }
}
