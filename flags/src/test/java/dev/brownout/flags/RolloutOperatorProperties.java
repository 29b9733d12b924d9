package dev.brownout.flags;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.core.time.ManualClock;
import dev.brownout.state.InMemoryStateStore;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random operator actions interleaved with plan checks on two servers: the flag is always either
 * exactly as the last operator action left it, or (once the plan has been started or resumed after
 * it) that with the plan's declared percentage; and a check that moves no plan writes no flag.
 */
class RolloutOperatorProperties {

  /** Something that happens. */
  sealed interface Action permits Tick, Percentage, Kill, Release, Rules, Steer, Trip {}

  /** A server checks its plans after some minutes. */
  record Tick(int minutes, boolean secondServer) implements Action {}

  /** An operator sets the rollout percentage. */
  record Percentage(double percentage) implements Action {}

  /** An operator kills the flag. */
  record Kill() implements Action {}

  /** An operator releases the kill switch. */
  record Release() implements Action {}

  /** An operator adds or removes a rule. */
  record Rules(boolean add) implements Action {}

  /** An operator steers the plan: advance, pause, resume or abort. */
  record Steer(String move) implements Action {}

  /** The plan's guard starts or stops tripping. */
  record Trip(boolean on) implements Action {}

  @Provide
  Arbitrary<List<Action>> actions() {
    Arbitrary<Action> action =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(
                8,
                Arbitraries.integers()
                    .between(0, 15)
                    .flatMap(m -> Arbitraries.of(true, false).map(s -> (Action) new Tick(m, s)))),
            net.jqwik.api.Tuple.of(
                3, Arbitraries.of(0.0, 5.0, 10.0, 30.0, 75.0, 100.0).map(p -> new Percentage(p))),
            net.jqwik.api.Tuple.of(1, Arbitraries.just(new Kill())),
            net.jqwik.api.Tuple.of(1, Arbitraries.just(new Release())),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(true, false).map(Rules::new)),
            net.jqwik.api.Tuple.of(
                3, Arbitraries.of("advance", "pause", "resume", "abort").map(Steer::new)),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(true, false).map(Trip::new)));
    return action.list().ofMinSize(1).ofMaxSize(40);
  }

  static final FlagDefinition.Rule BETA =
      new FlagDefinition.Rule(
          "beta",
          List.of(new FlagDefinition.Condition("plan", "in", List.of("beta"))),
          FlagDefinition.Serve.variant("on"));

  @Property(tries = 150)
  void theFlagIsAlwaysTheOperatorsOrThePlansDeclaredStep(@ForAll("actions") List<Action> actions) {
    ManualClock clock = new ManualClock();
    InMemoryStateStore store = InMemoryStateStore.builder().clock(clock).build();
    InMemoryAuditSink audit = new InMemoryAuditSink(10_000);
    AtomicBoolean tripped = new AtomicBoolean();
    try (Flags flags = Flags.builder(store).clock(clock).build();
        Flags otherFlags = Flags.builder(store).clock(clock).build();
        Rollouts rollouts =
            Rollouts.builder(flags).clock(clock).auditSink(audit).manualTicks().build();
        Rollouts other =
            Rollouts.builder(otherFlags).clock(clock).auditSink(audit).manualTicks().build()) {
      FlagDefinition operator =
          flags.admin().create(FlagDefinition.rollout("checkout", 0)).definition();
      RolloutPlan plan =
          RolloutPlan.builder("checkout")
              .steps(10, 25, 50, 100)
              .every(Duration.ofMinutes(10))
              .guard(RolloutGuard.when("tripped", tripped::get))
              .build();
      rollouts.start(plan);
      other.start(plan);
      boolean planOwns = true;
      for (Action action : actions) {
        long planBefore = rollouts.status("checkout").version();
        long flagBefore = flags.admin().get("checkout").orElseThrow().version();
        if (action instanceof Tick tick) {
          clock.advance(Duration.ofMinutes(tick.minutes()));
          (tick.secondServer() ? other : rollouts).tick();
        } else if (action instanceof Percentage p) {
          operator = change(flags, d -> d.withRolloutPercentage(p.percentage()));
        } else if (action instanceof Kill) {
          operator = change(flags, d -> d.withEnabled(false));
        } else if (action instanceof Release) {
          operator = change(flags, d -> d.withEnabled(true));
        } else if (action instanceof Rules r) {
          operator =
              change(
                  flags,
                  d ->
                      new FlagDefinition(
                          d.key(),
                          d.description(),
                          d.enabled(),
                          d.variants(),
                          d.offVariant(),
                          d.prerequisites(),
                          d.targets(),
                          r.add() ? List.of(BETA) : null,
                          d.fallthrough()));
        } else if (action instanceof Steer steer) {
          try {
            switch (steer.move()) {
              case "advance" -> rollouts.advance("checkout");
              case "pause" -> rollouts.pause("checkout", "looking");
              case "resume" -> {
                rollouts.resume("checkout");
                planOwns = true;
              }
              default -> rollouts.abort("checkout", "enough");
            }
          } catch (FlagConflictException refused) {
            // refused moves change nothing; the invariant below checks that
          }
        } else if (action instanceof Trip t) {
          tripped.set(t.on());
        }
        if (action instanceof Percentage
            || action instanceof Kill
            || action instanceof Release
            || action instanceof Rules) {
          planOwns = false;
        }

        Rollouts.Status status = rollouts.status("checkout");
        FlagAdmin.Stored flag = flags.admin().get("checkout").orElseThrow();
        if (planOwns) {
          assertThat(flag.definition())
              .as("after %s, the plan (%s) owns the flag", action, status)
              .isEqualTo(operator.withRolloutPercentage(status.percentage()));
        } else {
          assertThat(flag.definition())
              .as("after %s, the operator's change stands (plan %s)", action, status)
              .isEqualTo(operator);
        }
        if (action instanceof Tick && status.version() == planBefore) {
          assertThat(flag.version())
              .as("a check that moved no plan wrote no flag (%s)", action)
              .isEqualTo(flagBefore);
        }
      }
    }
  }

  private static FlagDefinition change(
      Flags flags, java.util.function.UnaryOperator<FlagDefinition> change) {
    return flags.admin().update("checkout", change, OptionalLong.empty(), true).definition();
  }
}
