package dev.brownout.flags;

import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;

/**
 * A reason to halt a rollout plan, checked before every step and on every tick: an error rate over
 * a threshold, a circuit breaker open, anything the application can observe. Implementations are
 * called from one thread at a time.
 */
@FunctionalInterface
public interface RolloutGuard {

  /** Why the rollout must halt now, or empty if it may go on. */
  Optional<String> tripped();

  /**
   * Trips while {@code condition} holds: {@code RolloutGuard.when("payments breaker open", () ->
   * breaker.getState() == State.OPEN)}.
   */
  static RolloutGuard when(String description, BooleanSupplier condition) {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(condition, "condition");
    return () -> condition.getAsBoolean() ? Optional.of(description) : Optional.empty();
  }

  /**
   * Trips when, since the previous check, errors divided by events exceed {@code threshold}, once
   * at least {@code minimumEvents} events happened. Both suppliers are cumulative counts, such as
   * two Micrometer counters' {@code count()}.
   */
  static RolloutGuard errorRate(
      String name,
      DoubleSupplier errors,
      DoubleSupplier events,
      double threshold,
      long minimumEvents) {
    if (!(threshold > 0 && threshold < 1)) {
      throw new IllegalArgumentException(
          "error-rate threshold must be between 0 and 1 (exclusive) but was " + threshold);
    }
    if (minimumEvents < 1) {
      throw new IllegalArgumentException(
          "minimumEvents must be at least 1 but was " + minimumEvents);
    }
    double[] last = {errors.getAsDouble(), events.getAsDouble()};
    return () -> {
      double e = errors.getAsDouble();
      double n = events.getAsDouble();
      double newErrors = e - last[0];
      double newEvents = n - last[1];
      if (newEvents < minimumEvents) {
        return Optional.empty();
      }
      last[0] = e;
      last[1] = n;
      double rate = newErrors / newEvents;
      return rate > threshold
          ? Optional.of(
              String.format(
                  java.util.Locale.ROOT,
                  "%s error rate %.1f%% over %.0f events exceeds %.1f%%",
                  name,
                  rate * 100,
                  newEvents,
                  threshold * 100))
          : Optional.empty();
    };
  }
}
