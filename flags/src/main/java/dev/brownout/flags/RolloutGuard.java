package dev.brownout.flags;

import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;

/**
 * A reason to halt a rollout plan, written in code: checked on every tick by the server whose code
 * started the plan ({@link Rollouts#start(RolloutPlan)}), besides the plan's declared guards
 * ({@link GuardDefinition}), which every server checks. Use a declared guard where one fits (a
 * breaker or a meter by name): it is part of the stored plan, so it is checked on every server and
 * shown with the plan. Implementations are called from one thread at a time.
 */
@FunctionalInterface
public interface RolloutGuard {

  /** Why the rollout must halt now, or empty if it may go on. */
  Optional<String> tripped();

  /** What the guard watches, for people. */
  default String description() {
    return "a guard in this server's code";
  }

  /**
   * Trips while {@code condition} holds: {@code RolloutGuard.when("payments breaker open", () ->
   * breaker.getState() == State.OPEN)}.
   */
  static RolloutGuard when(String description, BooleanSupplier condition) {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(condition, "condition");
    return new RolloutGuard() {
      @Override
      public Optional<String> tripped() {
        return condition.getAsBoolean() ? Optional.of(description) : Optional.empty();
      }

      @Override
      public String description() {
        return description;
      }
    };
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
    String description =
        String.format(
            java.util.Locale.ROOT,
            "%s error rate above %.1f%% (at least %d events)",
            name,
            threshold * 100,
            minimumEvents);
    RolloutGuard check =
        () -> {
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
    return new RolloutGuard() {
      @Override
      public Optional<String> tripped() {
        return check.tripped();
      }

      @Override
      public String description() {
        return description;
      }
    };
  }
}
