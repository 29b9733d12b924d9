package dev.brownout.flags;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.brownout.core.json.CodecException;
import dev.brownout.core.json.JsonCodec;
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
 *     .guard(GuardDefinition.breaker("payments"))
 *     .guard(GuardDefinition.meter("checkout.errors", 20, Duration.ofMinutes(5)))
 *     .build();
 * rollouts.start(plan);
 * }</pre>
 *
 * A plan is data: its definition (flag, steps, interval, declared guards) is stored with its
 * progress, every server runs it, and the admin API creates it from the same JSON {@link #toJson()}
 * writes:
 *
 * <pre>{@code
 * {"flag": "new-checkout", "steps": [1, 5, 25, 100], "every": "30m",
 *  "guards": [{"breaker": "payments"}, {"meter": "checkout.errors", "above": 20, "window": "5m"}]}
 * }</pre>
 *
 * Guards written in code ({@link RolloutGuard}) are not data: only the server whose code adds them
 * checks them. Immutable.
 */
public final class RolloutPlan {
  /**
   * The wire format of a plan's definition (version 1).
   *
   * @param flag the flag
   * @param steps the percentages, rising
   * @param every how long each step lasts ({@code 30m}, {@code PT30M}); null to advance by hand
   * @param guards the declared guards
   * @param confirmJumpToEveryone whether a first step of 100 % is intended
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Wire(
      String flag,
      List<Double> steps,
      @Nullable String every,
      @Nullable List<GuardDefinition> guards,
      @Nullable Boolean confirmJumpToEveryone) {}

  private final String flag;
  private final List<Double> steps;
  private final @Nullable Duration interval;
  private final List<RolloutGuard> guards;
  private final List<GuardDefinition> declared;
  private final boolean confirmJump;

  private RolloutPlan(Builder builder) {
    this.flag = builder.flag;
    this.steps = List.copyOf(builder.steps);
    this.interval = builder.interval;
    this.guards = List.copyOf(builder.guards);
    this.declared = List.copyOf(builder.declared);
    this.confirmJump = builder.confirmJump;
  }

  /** Starts a plan for {@code flag}. */
  public static Builder builder(String flag) {
    return new Builder(flag);
  }

  /**
   * Reads a plan from its JSON (the admin API's format) and validates it.
   *
   * @throws IllegalArgumentException naming every problem
   */
  public static RolloutPlan fromJson(String json) {
    Objects.requireNonNull(json, "json");
    Wire wire;
    try {
      wire = JsonCodec.standard().decode(json, Wire.class);
    } catch (CodecException e) {
      throw new IllegalArgumentException("rollout plan is unreadable: " + e.getMessage(), e);
    }
    if (wire == null) {
      throw new IllegalArgumentException("rollout plan is null");
    }
    return fromWire(wire, false);
  }

  /**
   * A plan from its wire form.
   *
   * @param confirmed whether a jump to 100 % is confirmed besides the definition's own field
   * @throws IllegalArgumentException naming every problem
   */
  static RolloutPlan fromWire(Wire wire, boolean confirmed) {
    List<String> problems = new ArrayList<>();
    Builder builder = parse(wire, confirmed, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "rollout plan for '" + wire.flag() + "' is invalid: " + String.join("; ", problems));
    }
    return new RolloutPlan(builder);
  }

  /** Every problem with a plan's wire form; empty if it is valid. */
  static List<String> problems(Wire wire, boolean confirmed) {
    List<String> problems = new ArrayList<>();
    parse(wire, confirmed, problems);
    return problems;
  }

  private static Builder parse(Wire wire, boolean confirmed, List<String> problems) {
    if (wire.flag() == null || !FlagValidator.validKey(wire.flag())) {
      problems.add("flag: must be a flag key but was '" + wire.flag() + "'");
    }
    Builder builder = new Builder(wire.flag() == null ? "" : wire.flag());
    if (wire.steps() == null) {
      problems.add("steps: is missing");
    } else {
      for (Double step : wire.steps()) {
        if (step == null) {
          problems.add("steps: a step is null");
        } else {
          builder.steps.add(step);
        }
      }
    }
    if (wire.every() != null) {
      Duration every = Durations.tryParse(wire.every());
      if (every == null || every.isZero() || every.isNegative()) {
        problems.add(
            "every: '" + wire.every() + "' is not a positive duration like 30s, 10m, 1h or PT10M");
      } else {
        builder.interval = every;
      }
    }
    if (wire.guards() != null) {
      for (int i = 0; i < wire.guards().size(); i++) {
        GuardDefinition guard = wire.guards().get(i);
        if (guard == null) {
          problems.add("guards[" + i + "]: is null");
          continue;
        }
        problems.addAll(guard.problems("guards[" + i + "]"));
        builder.declared.add(guard);
      }
    }
    builder.confirmJump = confirmed || Boolean.TRUE.equals(wire.confirmJumpToEveryone());
    problems.addAll(builder.stepProblems());
    return builder;
  }

  /** The plan's definition as JSON: everything but the guards written in code. */
  public String toJson() {
    return JsonCodec.standard().encodeToString(wire());
  }

  Wire wire() {
    return new Wire(
        flag,
        steps,
        interval == null ? null : Durations.format(interval),
        declared.isEmpty() ? null : declared,
        confirmJump ? Boolean.TRUE : null);
  }

  /** Whether {@code other} defines the same plan (guards written in code aside). */
  boolean sameDefinition(RolloutPlan other) {
    return flag.equals(other.flag)
        && steps.equals(other.steps)
        && Objects.equals(interval, other.interval)
        && declared.equals(other.declared);
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

  /** The guards written in code, checked by the server that started the plan. */
  public List<RolloutGuard> guards() {
    return guards;
  }

  /** The declared guards, part of the stored plan and checked by every server. */
  public List<GuardDefinition> declaredGuards() {
    return declared;
  }

  /** Whether a first step of 100 % was confirmed. */
  public boolean confirmsJumpToEveryone() {
    return confirmJump;
  }

  @Override
  public String toString() {
    return "RolloutPlan" + toJson();
  }

  /** Builds a {@link RolloutPlan}. */
  public static final class Builder {
    private final String flag;
    private final List<Double> steps = new ArrayList<>();
    private @Nullable Duration interval;
    private final List<RolloutGuard> guards = new ArrayList<>();
    private final List<GuardDefinition> declared = new ArrayList<>();
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

    /**
     * Halts and rolls back when {@code guard}, written in code, trips; only this server checks it.
     */
    public Builder guard(RolloutGuard guard) {
      guards.add(Objects.requireNonNull(guard, "guard"));
      return this;
    }

    /** Halts and rolls back when {@code guard} trips on any server; part of the stored plan. */
    public Builder guard(GuardDefinition guard) {
      declared.add(Objects.requireNonNull(guard, "guard"));
      return this;
    }

    /** Allows a plan whose first step goes from nothing to everyone. */
    public Builder confirmJumpToEveryone() {
      this.confirmJump = true;
      return this;
    }

    private List<String> stepProblems() {
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
            "the plan goes from 0% to 100% in one step; add steps, or call confirmJumpToEveryone()"
                + " (over HTTP: \"confirmJumpToEveryone\": true, or ?confirm=true)");
      }
      if (steps.size() > 100) {
        problems.add("a rollout plan has at most 100 steps but this one has " + steps.size());
      }
      return problems;
    }

    /**
     * Builds the plan.
     *
     * @throws IllegalArgumentException if the steps are missing, out of range or not rising, a
     *     declared guard is invalid, or the plan jumps straight to 100 % without {@link
     *     #confirmJumpToEveryone()}
     */
    public RolloutPlan build() {
      List<String> problems = new ArrayList<>();
      if (!FlagValidator.validKey(flag)) {
        problems.add("flag: must be a flag key but was '" + flag + "'");
      }
      for (int i = 0; i < declared.size(); i++) {
        problems.addAll(declared.get(i).problems("guards[" + i + "]"));
      }
      problems.addAll(stepProblems());
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(
            "rollout plan for '" + flag + "' is invalid: " + String.join("; ", problems));
      }
      return new RolloutPlan(this);
    }
  }
}
