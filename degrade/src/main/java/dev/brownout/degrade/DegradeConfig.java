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
        READ_MODE_REFRESH_INTERVAL,
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
        RETRY_WAIT);
  }
}
