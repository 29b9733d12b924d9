package dev.brownout.flags;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A staged rollout of a flag: percentages to go through in order, advanced on a schedule or by
 * hand, halted and rolled back to the last safe step when a guard trips.
 *
 * <pre>{@code
 * RolloutPlan plan = RolloutPlan.builder("new-checkout")
 *     .steps(1, 5, 25, 100)
 *     .every(Duration.ofMinutes(30))
 *     .guard(RolloutGuard.when("payments breaker open", () -> breaker.getState() == OPEN))
 *     .build();
 * flags.rollouts().start(plan);
 * }</pre>
 *
 * Immutable.
 */
public final class RolloutPlan {
  private final String flag;
  private final List<Double> steps;
  private final @Nullable Duration interval;
  private final List<RolloutGuard> guards;

  private RolloutPlan(Builder builder) {
    this.flag = builder.flag;
    this.steps = List.copyOf(builder.steps);
    this.interval = builder.interval;
    this.guards = List.copyOf(builder.guards);
  }

  /** Starts a plan for {@code flag}. */
  public static Builder builder(String flag) {
    return new Builder(flag);
  }

  /** The flag. */
  public String flag() {
    return flag;
  }

  /** The percentages, in order. */
  public List<Double> steps() {
    return steps;
  }

  /** How long each step lasts before the next, or null if steps are advanced by hand. */
  public @Nullable Duration interval() {
    return interval;
  }

  /** The guards. */
  public List<RolloutGuard> guards() {
    return guards;
  }

  /** Builds a {@link RolloutPlan}. */
  public static final class Builder {
    private final String flag;
    private final List<Double> steps = new ArrayList<>();
    private @Nullable Duration interval;
    private final List<RolloutGuard> guards = new ArrayList<>();
    private boolean confirmJump;

    private Builder(String flag) {
      this.flag = Objects.requireNonNull(flag, "flag");
    }

    /** The percentages to go through, rising. */
    public Builder steps(double... percentages) {
      for (double percentage : percentages) {
        steps.add(percentage);
      }
      return this;
    }

    /** Advance to the next step each {@code interval}; without it, steps advance by hand only. */
    public Builder every(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException(
            "a rollout step interval must be positive but was " + interval);
      }
      this.interval = interval;
      return this;
    }

    /** Halts and rolls back when {@code guard} trips. */
    public Builder guard(RolloutGuard guard) {
      guards.add(Objects.requireNonNull(guard, "guard"));
      return this;
    }

    /** Allows a plan whose first step goes from nothing to everyone. */
    public Builder confirmJumpToEveryone() {
      this.confirmJump = true;
      return this;
    }

    /**
     * Builds the plan.
     *
     * @throws IllegalArgumentException if the steps are missing, out of range or not rising, or the
     *     plan jumps straight to 100 % without {@link #confirmJumpToEveryone()}
     */
    public RolloutPlan build() {
      List<String> problems = new ArrayList<>();
      if (steps.isEmpty()) {
        problems.add("a rollout plan needs at least one step");
      }
      for (int i = 0; i < steps.size(); i++) {
        double step = steps.get(i);
        if (!(step > 0 && step <= 100)) {
          problems.add("step " + (i + 1) + " must be above 0 and at most 100 but was " + step);
        }
        if (i > 0 && step <= steps.get(i - 1)) {
          problems.add(
              "steps must rise, but step "
                  + (i + 1)
                  + " ("
                  + step
                  + ") is not above step "
                  + i
                  + " ("
                  + steps.get(i - 1)
                  + ")");
        }
      }
      if (!steps.isEmpty() && steps.get(0) == 100 && !confirmJump) {
        problems.add(
            "the plan goes from 0% to 100% in one step; add steps, or call confirmJumpToEveryone()");
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(
            "rollout plan for '" + flag + "' is invalid: " + String.join("; ", problems));
      }
      return new RolloutPlan(this);
    }
  }
}
