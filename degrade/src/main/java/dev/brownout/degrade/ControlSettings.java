package dev.brownout.degrade;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The settings of guards that operators change at run time, as the admin API takes them and the
 * store keeps them: each field left out keeps the declared value. Every number has a range, checked
 * before anything changes; {@link #problems} names each value out of its range.
 */
final class ControlSettings {
  private ControlSettings() {}

  static final float MAX_RATE = 100;
  static final long MAX_SLOW_CALL_MILLIS = Duration.ofMinutes(10).toMillis();
  static final long MAX_WAIT_IN_OPEN_MILLIS = Duration.ofHours(1).toMillis();
  static final int MAX_WINDOW = 10_000;
  static final int MAX_ATTEMPTS = 100;
  static final long MAX_RETRY_WAIT_MILLIS = Duration.ofMinutes(1).toMillis();
  static final int MAX_CONCURRENT_CALLS = 10_000;
  static final long MAX_BULKHEAD_WAIT_MILLIS = Duration.ofMinutes(1).toMillis();
  static final int MAX_LIMIT_FOR_PERIOD = 1_000_000;
  static final long MAX_RATE_WAIT_MILLIS = Duration.ofMinutes(1).toMillis();
  static final long MAX_TIMEOUT_MILLIS = Duration.ofMinutes(10).toMillis();

  /**
   * Breaker settings.
   *
   * @param failureRateThreshold percent of failed calls that opens the breaker, (0, 100]
   * @param slowCallRateThreshold percent of slow calls that opens it, (0, 100]
   * @param slowCallDurationMillis how slow a slow call is, 1 ms to 10 min
   * @param waitInOpenStateMillis how long it stays open before trying half-open, 1 ms to 1 h
   * @param slidingWindowSize how many calls the rates are over, 1 to 10 000
   * @param minimumNumberOfCalls calls needed before the rates count, 1 to 10 000
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Breaker(
      @Nullable Float failureRateThreshold,
      @Nullable Float slowCallRateThreshold,
      @Nullable Long slowCallDurationMillis,
      @Nullable Long waitInOpenStateMillis,
      @Nullable Integer slidingWindowSize,
      @Nullable Integer minimumNumberOfCalls) {

    static Breaker of(CircuitBreakerConfig config) {
      return new Breaker(
          config.getFailureRateThreshold(),
          config.getSlowCallRateThreshold(),
          config.getSlowCallDurationThreshold().toMillis(),
          config.getWaitIntervalFunctionInOpenState().apply(1),
          config.getSlidingWindowSize(),
          config.getMinimumNumberOfCalls());
    }

    /** These settings over {@code earlier}: a field set here wins. */
    Breaker over(@Nullable Breaker earlier) {
      if (earlier == null) {
        return this;
      }
      return new Breaker(
          pick(failureRateThreshold, earlier.failureRateThreshold),
          pick(slowCallRateThreshold, earlier.slowCallRateThreshold),
          pick(slowCallDurationMillis, earlier.slowCallDurationMillis),
          pick(waitInOpenStateMillis, earlier.waitInOpenStateMillis),
          pick(slidingWindowSize, earlier.slidingWindowSize),
          pick(minimumNumberOfCalls, earlier.minimumNumberOfCalls));
    }

    List<String> problems(CircuitBreakerConfig base) {
      List<String> problems = new ArrayList<>();
      rate(problems, "failureRateThreshold", failureRateThreshold);
      rate(problems, "slowCallRateThreshold", slowCallRateThreshold);
      range(problems, "slowCallDurationMillis", slowCallDurationMillis, 1, MAX_SLOW_CALL_MILLIS);
      range(problems, "waitInOpenStateMillis", waitInOpenStateMillis, 1, MAX_WAIT_IN_OPEN_MILLIS);
      range(problems, "slidingWindowSize", longOf(slidingWindowSize), 1, MAX_WINDOW);
      range(problems, "minimumNumberOfCalls", longOf(minimumNumberOfCalls), 1, MAX_WINDOW);
      int size = slidingWindowSize != null ? slidingWindowSize : base.getSlidingWindowSize();
      int least =
          minimumNumberOfCalls != null ? minimumNumberOfCalls : base.getMinimumNumberOfCalls();
      if ((slidingWindowSize != null || minimumNumberOfCalls != null)
          && base.getSlidingWindowType() == CircuitBreakerConfig.SlidingWindowType.COUNT_BASED
          && least > size) {
        problems.add(
            "minimumNumberOfCalls ("
                + least
                + ") cannot exceed slidingWindowSize ("
                + size
                + ") for a count-based window");
      }
      return problems;
    }

    CircuitBreakerConfig applyTo(CircuitBreakerConfig base) {
      CircuitBreakerConfig.Builder next = CircuitBreakerConfig.from(base);
      if (failureRateThreshold != null) {
        next.failureRateThreshold(failureRateThreshold);
      }
      if (slowCallRateThreshold != null) {
        next.slowCallRateThreshold(slowCallRateThreshold);
      }
      if (slowCallDurationMillis != null) {
        next.slowCallDurationThreshold(Duration.ofMillis(slowCallDurationMillis));
      }
      if (waitInOpenStateMillis != null) {
        next.waitDurationInOpenState(Duration.ofMillis(waitInOpenStateMillis));
      }
      if (slidingWindowSize != null || minimumNumberOfCalls != null) {
        next.slidingWindow(
            slidingWindowSize != null ? slidingWindowSize : base.getSlidingWindowSize(),
            minimumNumberOfCalls != null ? minimumNumberOfCalls : base.getMinimumNumberOfCalls(),
            base.getSlidingWindowType());
      }
      return next.build();
    }
  }

  /**
   * Retry settings.
   *
   * @param maxAttempts attempts in all, the first included, 1 to 100
   * @param waitMillis the wait between attempts, 0 to 1 min (replaces any backoff)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Retry(@Nullable Integer maxAttempts, @Nullable Long waitMillis) {
    static Retry of(RetryConfig config) {
      Long wait;
      try {
        wait = config.getIntervalBiFunction().apply(1, null);
      } catch (RuntimeException e) {
        wait = null;
      }
      return new Retry(config.getMaxAttempts(), wait);
    }

    Retry over(@Nullable Retry earlier) {
      return earlier == null
          ? this
          : new Retry(pick(maxAttempts, earlier.maxAttempts), pick(waitMillis, earlier.waitMillis));
    }

    List<String> problems() {
      List<String> problems = new ArrayList<>();
      range(problems, "maxAttempts", longOf(maxAttempts), 1, MAX_ATTEMPTS);
      range(problems, "waitMillis", waitMillis, 0, MAX_RETRY_WAIT_MILLIS);
      return problems;
    }

    RetryConfig applyTo(RetryConfig base) {
      RetryConfig.Builder<Object> next = RetryConfig.from(base);
      if (maxAttempts != null) {
        next.maxAttempts(maxAttempts);
      }
      if (waitMillis != null) {
        next.intervalFunction(IntervalFunction.of(Duration.ofMillis(Math.max(1, waitMillis))));
      }
      return next.build();
    }
  }

  /**
   * Bulkhead settings.
   *
   * @param maxConcurrentCalls calls at once, 1 to 10 000
   * @param maxWaitMillis how long a call waits for a slot, 0 to 1 min
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Bulkhead(@Nullable Integer maxConcurrentCalls, @Nullable Long maxWaitMillis) {
    static Bulkhead of(BulkheadConfig config) {
      return new Bulkhead(config.getMaxConcurrentCalls(), config.getMaxWaitDuration().toMillis());
    }

    Bulkhead over(@Nullable Bulkhead earlier) {
      return earlier == null
          ? this
          : new Bulkhead(
              pick(maxConcurrentCalls, earlier.maxConcurrentCalls),
              pick(maxWaitMillis, earlier.maxWaitMillis));
    }

    List<String> problems() {
      List<String> problems = new ArrayList<>();
      range(problems, "maxConcurrentCalls", longOf(maxConcurrentCalls), 1, MAX_CONCURRENT_CALLS);
      range(problems, "maxWaitMillis", maxWaitMillis, 0, MAX_BULKHEAD_WAIT_MILLIS);
      return problems;
    }

    BulkheadConfig applyTo(BulkheadConfig base) {
      BulkheadConfig.Builder next = BulkheadConfig.from(base);
      if (maxConcurrentCalls != null) {
        next.maxConcurrentCalls(maxConcurrentCalls);
      }
      if (maxWaitMillis != null) {
        next.maxWaitDuration(Duration.ofMillis(maxWaitMillis));
      }
      return next.build();
    }
  }

  /**
   * Rate limiter settings.
   *
   * @param limitForPeriod calls per period, 1 to 1 000 000
   * @param timeoutMillis how long a call waits for a permit, 0 to 1 min
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record RateLimit(@Nullable Integer limitForPeriod, @Nullable Long timeoutMillis) {
    static RateLimit of(RateLimiterConfig config) {
      return new RateLimit(config.getLimitForPeriod(), config.getTimeoutDuration().toMillis());
    }

    RateLimit over(@Nullable RateLimit earlier) {
      return earlier == null
          ? this
          : new RateLimit(
              pick(limitForPeriod, earlier.limitForPeriod),
              pick(timeoutMillis, earlier.timeoutMillis));
    }

    List<String> problems() {
      List<String> problems = new ArrayList<>();
      range(problems, "limitForPeriod", longOf(limitForPeriod), 1, MAX_LIMIT_FOR_PERIOD);
      range(problems, "timeoutMillis", timeoutMillis, 0, MAX_RATE_WAIT_MILLIS);
      return problems;
    }
  }

  /**
   * A declared timeout's limit.
   *
   * @param millis the limit, 1 ms to 10 min
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Timeout(@Nullable Long millis) {
    Timeout over(@Nullable Timeout earlier) {
      return earlier == null ? this : new Timeout(pick(millis, earlier.millis));
    }

    List<String> problems() {
      List<String> problems = new ArrayList<>();
      range(problems, "millis", millis, 1, MAX_TIMEOUT_MILLIS);
      return problems;
    }
  }

  private static <T> @Nullable T pick(@Nullable T mine, @Nullable T earlier) {
    return mine != null ? mine : earlier;
  }

  private static @Nullable Long longOf(@Nullable Integer value) {
    return value == null ? null : (long) value;
  }

  private static void rate(List<String> problems, String name, @Nullable Float value) {
    if (value != null && !(value > 0 && value <= MAX_RATE)) {
      problems.add(name + " must be above 0 and at most 100 (percent) but was " + value);
    }
  }

  private static void range(
      List<String> problems, String name, @Nullable Long value, long min, long max) {
    if (value != null && (value < min || value > max)) {
      problems.add(name + " must be between " + min + " and " + max + " but was " + value);
    }
  }
}
