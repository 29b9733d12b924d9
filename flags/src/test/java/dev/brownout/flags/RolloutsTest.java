package dev.brownout.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.ManualClock;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.Update;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RolloutsTest {
  final ManualClock clock = new ManualClock();
  final InMemoryStateStore store = InMemoryStateStore.builder().clock(clock).build();
  final Flags flags = Flags.builder(store).clock(clock).build();
  final InMemoryAuditSink audit = new InMemoryAuditSink(1000);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final AtomicBoolean paymentsOpen = new AtomicBoolean();
  final Rollouts rollouts =
      Rollouts.builder(flags)
          .clock(clock)
          .auditSink(audit)
          .metrics(BrownoutMetrics.of(registry))
          .breakers(
              BreakerStates.of(
                  () -> Set.of("payments"), name -> paymentsOpen.get() ? "OPEN" : "CLOSED"))
          .manualTicks()
          .build();

  @AfterEach
  void close() {
    rollouts.close();
    flags.close();
  }

  double exposure() {
    return FlagAdmin.exposure(flags.snapshot().definition("checkout").orElseThrow());
  }

  double percentage() {
    return FlagAdmin.percentage(flags.snapshot().definition("checkout").orElseThrow());
  }

  long version() {
    return flags.admin().get("checkout").orElseThrow().version();
  }

  List<String> actions() {
    return audit.recent(1000).stream().map(AuditRecord::action).toList();
  }

  RolloutPlan plan() {
    return RolloutPlan.builder("checkout")
        .steps(1, 5, 25, 100)
        .every(Duration.ofMinutes(30))
        .build();
  }

  @Nested
  class Steps {
    @Test
    void stepsAdvanceOnScheduleToTheEnd() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      rollouts.start(plan());
      assertThat(exposure()).isEqualTo(1);

      rollouts.tick();
      assertThat(exposure()).as("not due yet").isEqualTo(1);
      for (double expected : new double[] {5, 25, 100}) {
        clock.advance(Duration.ofMinutes(30));
        rollouts.tick();
        assertThat(exposure()).isEqualTo(expected);
      }
      assertThat(rollouts.status("checkout").state()).isEqualTo(Rollouts.State.COMPLETED);
      assertThat(actions()).containsOnly("flags.rollout.step").hasSize(4);
      assertThat(rollouts.status("checkout").history())
          .extracting(Rollouts.Transition::percentage)
          .containsExactly(1.0, 5.0, 25.0, 100.0);
    }

    @Test
    void stepsCanBeAdvancedByHandAndEachHappensOnceAcrossServers() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      RolloutPlan plan = RolloutPlan.builder("checkout").steps(1, 50, 100).build();
      try (Flags secondFlags = Flags.builder(store).clock(clock).build();
          Rollouts second =
              Rollouts.builder(secondFlags).clock(clock).auditSink(audit).manualTicks().build()) {
        rollouts.start(plan);
        second.start(plan);
        assertThat(audit.recent(10)).as("started once").hasSize(1);

        rollouts.advance("checkout");
        assertThat(second.status("checkout").percentage()).isEqualTo(50);
        assertThat(audit.recent(10)).hasSize(2);
      }
    }

    @Test
    void aPlanIsDataThatEveryServerRunsWhoeverStartedIt() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      try (Flags secondFlags = Flags.builder(store).clock(clock).build();
          Rollouts second =
              Rollouts.builder(secondFlags).clock(clock).auditSink(audit).manualTicks().build()) {
        rollouts.start(plan());
        clock.advance(Duration.ofMinutes(30));
        second.tick();
        rollouts.tick();
        assertThat(second.status("checkout").percentage()).isEqualTo(5);
        assertThat(second.list()).extracting(Rollouts.Status::flag).containsExactly("checkout");
        assertThat(actions()).hasSize(2);
      }
    }

    @Test
    void aPlanWritesTheFlagOncePerStepAndNeverWhenItIsAlreadyThere() {
      flags.admin().create(FlagDefinition.rollout("checkout", 1));
      long before = version();
      rollouts.start(plan());
      assertThat(version()).as("already at the first step: no write").isEqualTo(before);
      for (int i = 0; i < 20; i++) {
        rollouts.tick();
      }
      assertThat(version()).isEqualTo(before);
      clock.advance(Duration.ofMinutes(30));
      rollouts.tick();
      long stepped = version();
      assertThat(stepped).isNotEqualTo(before);
      for (int i = 0; i < 20; i++) {
        rollouts.tick();
      }
      assertThat(version()).isEqualTo(stepped);
    }

    @Test
    void advancingAPlanThatIsNotRunningIsRefusedSayingWhy() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      rollouts.start(plan());
      rollouts.halt("checkout", "error budget spent");
      assertThatThrownBy(() -> rollouts.advance("checkout"))
          .isInstanceOf(FlagConflictException.class)
          .hasMessageContaining("halted (error budget spent)")
          .hasMessageContaining("resume");
      rollouts.abort("checkout", "giving up");
      assertThatThrownBy(() -> rollouts.advance("checkout")).hasMessageContaining("aborted");
      assertThatThrownBy(() -> rollouts.status("nope"))
          .isInstanceOf(FlagConflictException.class)
          .hasMessageContaining("no rollout plan for 'nope'");
    }

    @Test
    void badPlansAreRefusedWithEveryProblem() {
      assertThatThrownBy(() -> RolloutPlan.builder("x").steps(10, 5, 120).build())
          .hasMessageContaining("step 3 must be above 0 and at most 100 but was 120.0")
          .hasMessageContaining("steps must rise, but step 2 (5.0) is not above step 1 (10.0)");
      assertThatThrownBy(() -> RolloutPlan.builder("x").steps(100).build())
          .hasMessageContaining("confirmJumpToEveryone");
      assertThat(RolloutPlan.builder("x").steps(100).confirmJumpToEveryone().build().steps())
          .containsExactly(100.0);
      assertThatThrownBy(
              () ->
                  RolloutPlan.builder("x")
                      .steps(10)
                      .guard(new GuardDefinition("a", "b", null, null, null, null, null, null))
                      .guard(GuardDefinition.meter("errors", -1, Duration.ofMillis(10)))
                      .build())
          .hasMessageContaining("guards[0]: must name exactly one of 'breaker' and 'meter'")
          .hasMessageContaining("guards[1].above: must be a number, 0 or more, but was -1.0")
          .hasMessageContaining("guards[1].window: must be between 1s and 1d but was 10ms");
    }

    @Test
    void aPlanReadsAndWritesItsJson() {
      RolloutPlan plan =
          RolloutPlan.builder("checkout")
              .steps(1, 50, 100)
              .every(Duration.ofMinutes(10))
              .guard(GuardDefinition.breaker("payments"))
              .guard(
                  GuardDefinition.meter("http.requests", 0.02, Duration.ofMinutes(5))
                      .withTags(Map.of("outcome", "SERVER_ERROR"))
                      .per("http.requests", Map.of(), 100))
              .build();
      String json = plan.toJson();
      assertThat(json)
          .contains("\"every\":\"10m\"")
          .contains("{\"breaker\":\"payments\"}")
          .contains("\"window\":\"5m\"");
      assertThat(RolloutPlan.fromJson(json).sameDefinition(plan)).isTrue();
      assertThatThrownBy(
              () -> RolloutPlan.fromJson("{\"flag\":\"x\",\"steps\":[5],\"every\":\"soon\"}"))
          .hasMessageContaining("every: 'soon' is not a positive duration");
    }
  }

  @Nested
  class Guards {
    @Test
    void aTrippedGuardHaltsAndRollsBackToTheLastSafeStep() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      AtomicBoolean breakerOpen = new AtomicBoolean();
      rollouts.start(
          RolloutPlan.builder("checkout")
              .steps(1, 5, 25, 100)
              .every(Duration.ofMinutes(30))
              .guard(RolloutGuard.when("payments breaker open", breakerOpen::get))
              .build());
      clock.advance(Duration.ofMinutes(30));
      rollouts.tick();
      clock.advance(Duration.ofMinutes(30));
      rollouts.tick();
      assertThat(exposure()).isEqualTo(25);

      breakerOpen.set(true);
      rollouts.tick();

      Rollouts.Status status = rollouts.status("checkout");
      assertThat(status.state()).isEqualTo(Rollouts.State.HALTED);
      assertThat(status.reason()).isEqualTo("payments breaker open");
      assertThat(exposure()).isEqualTo(5);
      AuditRecord halt = audit.recent(1).get(0);
      assertThat(halt.action()).isEqualTo("flags.rollout.halt");
      assertThat(halt.actor()).isEqualTo(Rollouts.PLAN_ACTOR);
      assertThat(halt.reason()).contains("payments breaker open");
      assertThat(halt.before()).contains("\"percentage\":25.0");
      assertThat(halt.after()).contains("\"percentage\":5.0");

      breakerOpen.set(false);
      clock.advance(Duration.ofHours(5));
      rollouts.tick();
      assertThat(exposure()).as("a halted plan stays halted").isEqualTo(5);

      rollouts.resume("checkout");
      assertThat(rollouts.status("checkout").state()).isEqualTo(Rollouts.State.RUNNING);
      clock.advance(Duration.ofMinutes(30));
      rollouts.tick();
      assertThat(exposure()).as("resumed from the last safe step").isEqualTo(25);
    }

    @Test
    void aBreakerNamedInThePlanHaltsItOnEveryServer() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      rollouts.start(
          RolloutPlan.builder("checkout")
              .steps(10, 50, 100)
              .guard(GuardDefinition.breaker("payments"))
              .build());
      rollouts.tick();
      assertThat(rollouts.guardStates("checkout"))
          .singleElement()
          .satisfies(state -> assertThat(state.tripped()).isFalse());

      paymentsOpen.set(true);
      assertThatThrownBy(() -> rollouts.advance("checkout"))
          .hasMessageContaining("cannot advance while its guard trips (breaker 'payments' open");
      rollouts.tick();
      assertThat(rollouts.status("checkout").state()).isEqualTo(Rollouts.State.HALTED);
      assertThat(rollouts.status("checkout").reason()).isEqualTo("breaker 'payments' is open");
      assertThat(exposure()).isZero();
      assertThatThrownBy(() -> rollouts.resume("checkout"))
          .hasMessageContaining("cannot resume while its guard trips");
    }

    @Test
    void aBreakerThisServerDoesNotHaveIsRefusedAtStartAndHaltsAStoredPlan() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      assertThatThrownBy(
              () ->
                  rollouts.start(
                      RolloutPlan.builder("checkout")
                          .steps(10, 100)
                          .guard(GuardDefinition.breaker("shipping"))
                          .build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("there is no breaker 'shipping'; there are [payments]");

      try (Flags otherFlags = Flags.builder(store).clock(clock).build();
          Rollouts noBreakers =
              Rollouts.builder(otherFlags).clock(clock).auditSink(audit).manualTicks().build()) {
        rollouts.start(
            RolloutPlan.builder("checkout")
                .steps(10, 100)
                .guard(GuardDefinition.breaker("payments"))
                .build());
        noBreakers.tick();
        assertThat(rollouts.status("checkout").state()).isEqualTo(Rollouts.State.HALTED);
        assertThat(rollouts.status("checkout").reason())
            .contains("cannot look breakers up")
            .contains("rather than ignore the guard");
      }
    }

    @Test
    void aMeterOverItsThresholdWithinTheWindowHaltsThePlan() {
      Counter errors = registry.counter("checkout.errors", "region", "eu");
      Counter requests = registry.counter("checkout.requests");
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      rollouts.start(
          RolloutPlan.builder("checkout")
              .steps(10, 50, 100)
              .every(Duration.ofMinutes(10))
              .guard(
                  GuardDefinition.meter("checkout.errors", 0.05, Duration.ofMinutes(5))
                      .per("checkout.requests", Map.of(), 100))
              .build());
      errors.increment(500);
      requests.increment(1000);
      rollouts.tick();
      assertThat(rollouts.guardStates("checkout").get(0).detail())
          .as("counting starts with the plan")
          .contains("0 of the 100 checkout.requests events needed");

      requests.increment(50);
      errors.increment(10);
      clock.advance(Duration.ofMinutes(1));
      rollouts.tick();
      assertThat(rollouts.status("checkout").state()).isEqualTo(Rollouts.State.RUNNING);

      requests.increment(100);
      errors.increment(2);
      clock.advance(Duration.ofMinutes(1));
      rollouts.tick();
      assertThat(rollouts.status("checkout").state())
          .as("12 errors in 150 requests is 8%")
          .isEqualTo(Rollouts.State.HALTED);
      assertThat(rollouts.status("checkout").reason())
          .contains("checkout.errors / checkout.requests = 0.08000 over 5m (150 events)");

      rollouts.abort("checkout", "too many errors");
      assertThat(rollouts.status("checkout").state()).isEqualTo(Rollouts.State.ABORTED);
    }

    @Test
    void aCountOverTheWindowOnlyCountsTheWindow() {
      Counter errors = registry.counter("payments.declines");
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      rollouts.start(
          RolloutPlan.builder("checkout")
              .steps(10, 100)
              .guard(GuardDefinition.meter("payments.declines", 10, Duration.ofMinutes(5)))
              .build());
      rollouts.tick();
      for (int minute = 0; minute < 30; minute++) {
        errors.increment(2);
        clock.advance(Duration.ofMinutes(1));
        rollouts.tick();
      }
      assertThat(rollouts.status("checkout").state())
          .as("2 a minute is 10 in five minutes: not above 10")
          .isEqualTo(Rollouts.State.RUNNING);
      errors.increment(3);
      clock.advance(Duration.ofMinutes(1));
      rollouts.tick();
      assertThat(rollouts.status("checkout").state()).isEqualTo(Rollouts.State.HALTED);
    }

    @Test
    void anErrorRateOverTheThresholdHaltsThePlan() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      AtomicLong requests = new AtomicLong();
      AtomicLong errors = new AtomicLong();
      rollouts.start(
          RolloutPlan.builder("checkout")
              .steps(10, 50, 100)
              .every(Duration.ofMinutes(10))
              .guard(RolloutGuard.errorRate("checkout", errors::get, requests::get, 0.05, 100))
              .build());

      requests.addAndGet(1000);
      errors.addAndGet(10);
      clock.advance(Duration.ofMinutes(10));
      rollouts.tick();
      assertThat(exposure()).isEqualTo(50);

      requests.addAndGet(1000);
      errors.addAndGet(200);
      rollouts.tick();
      assertThat(rollouts.status("checkout").reason())
          .contains("error rate 20.0% over 1000 events exceeds 5.0%");
      assertThat(exposure()).isEqualTo(10);
    }
  }

  @Nested
  class TheOperatorWins {
    @Test
    void aKillDuringAPlanPausesItAndTheFlagStopsChanging() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      rollouts.start(plan());
      flags.admin().update("checkout", f -> f.withEnabled(false), OptionalLong.empty(), false);
      long killed = version();

      for (int i = 0; i < 10; i++) {
        clock.advance(Duration.ofMinutes(30));
        rollouts.tick();
      }

      assertThat(version()).as("no write after the kill").isEqualTo(killed);
      assertThat(flags.snapshot().definition("checkout").orElseThrow().isEnabled()).isFalse();
      Rollouts.Status status = rollouts.status("checkout");
      assertThat(status.state()).isEqualTo(Rollouts.State.PAUSED);
      assertThat(status.reason()).contains("changed by hand").contains("the operator wins");
      AuditRecord pause = audit.recent(1).get(0);
      assertThat(pause.action()).isEqualTo("flags.rollout.pause");
      assertThat(pause.actor()).isEqualTo(Rollouts.PLAN_ACTOR);

      assertThatThrownBy(() -> rollouts.resume("checkout"))
          .hasMessageContaining("is killed; release its kill switch first");
      flags.admin().update("checkout", f -> f.withEnabled(true), OptionalLong.empty(), false);
      rollouts.resume("checkout");
      assertThat(exposure()).isEqualTo(1);
    }

    @Test
    void aManualPercentageIsNeverSetBackAndResumingGoesOnFromIt() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      rollouts.start(plan());
      clock.advance(Duration.ofMinutes(30));
      rollouts.tick();
      assertThat(percentage()).isEqualTo(5);

      flags.admin().update("checkout", f -> f.withRolloutPercentage(0), OptionalLong.empty(), true);
      for (int i = 0; i < 5; i++) {
        clock.advance(Duration.ofMinutes(30));
        rollouts.tick();
      }
      assertThat(percentage()).as("the operator's 0% stands").isZero();
      assertThat(rollouts.status("checkout").state()).isEqualTo(Rollouts.State.PAUSED);

      rollouts.resume("checkout");
      assertThat(percentage()).as("resumed at its current step").isEqualTo(5);
    }

    @Test
    void aChangeToTheRulesPausesThePlanButKeepsTheRules() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      rollouts.start(plan());
      FlagDefinition.Rule beta =
          new FlagDefinition.Rule(
              "beta",
              List.of(new FlagDefinition.Condition("plan", "in", List.of("beta"))),
              FlagDefinition.Serve.variant("on"));
      flags
          .admin()
          .update(
              "checkout",
              f ->
                  new FlagDefinition(
                      f.key(),
                      f.description(),
                      f.enabled(),
                      f.variants(),
                      f.offVariant(),
                      f.prerequisites(),
                      f.targets(),
                      List.of(beta),
                      f.fallthrough()),
              OptionalLong.empty(),
              false);
      assertThat(rollouts.status("checkout").state()).isEqualTo(Rollouts.State.PAUSED);
      rollouts.resume("checkout");
      clock.advance(Duration.ofMinutes(30));
      rollouts.tick();
      FlagDefinition now = flags.snapshot().definition("checkout").orElseThrow();
      assertThat(now.rules()).containsExactly(beta);
      assertThat(FlagAdmin.percentage(now)).isEqualTo(5);
    }

    @Test
    void aChangeMadeBehindTheAdminsBackIsFoundByItsVersion() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      rollouts.start(plan());
      // Another server's write, seen only through the store: not through this server's admin.
      store.update(
          Flags.NAMESPACE,
          "checkout",
          Update.builder()
              .set(
                  Flags.FIELD,
                  FlagDefinition.rollout("checkout", 60)
                      .toJson()
                      .getBytes(java.nio.charset.StandardCharsets.UTF_8))
              .build());
      flags.refresh();
      rollouts.tick();
      assertThat(rollouts.status("checkout").state()).isEqualTo(Rollouts.State.PAUSED);
      assertThat(percentage()).isEqualTo(60);
    }

    @Test
    void aPlanThatLostTrackOfItsOwnWriteAdoptsItInsteadOfPausing() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      rollouts.start(plan());
      RolloutRecord plan = RolloutRecord.read(store, "checkout").orElseThrow();
      // The plan's write landed, but the server stopped before recording the flag's new version.
      FlagDefinition current = flags.snapshot().definition("checkout").orElseThrow();
      RolloutRecord moved =
          plan.moved(Rollouts.State.RUNNING, 1, "advanced on schedule", clock.millis(), "test")
              .write(store, dev.brownout.state.Precondition.versionEquals(plan.version()))
              .orElseThrow();
      flags
          .admin()
          .setByPlan("checkout", current, version(), moved.percentage(), moved.marker())
          .orElseThrow();

      rollouts.tick();

      assertThat(rollouts.status("checkout").state()).isEqualTo(Rollouts.State.RUNNING);
      assertThat(RolloutRecord.read(store, "checkout").orElseThrow().flagVersion())
          .isEqualTo(version());
      assertThat(percentage()).isEqualTo(5);
    }
  }

  @Nested
  class Lifecycle {
    @Test
    void pauseResumeAbortAndDeleteEachDoWhatTheySay() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      rollouts.start(plan());
      rollouts.pause("checkout", "watching the dashboards");
      clock.advance(Duration.ofHours(2));
      rollouts.tick();
      assertThat(percentage()).as("a paused plan waits").isEqualTo(1);
      assertThatThrownBy(() -> rollouts.delete("checkout"))
          .hasMessageContaining("is paused; abort it first");
      assertThatThrownBy(() -> flags.admin().delete("checkout", OptionalLong.empty()))
          .hasMessageContaining("has a rollout plan in progress (paused)");

      rollouts.resume("checkout");
      clock.advance(Duration.ofMinutes(30));
      rollouts.tick();
      assertThat(percentage()).isEqualTo(5);

      rollouts.abort("checkout", "changed our minds");
      clock.advance(Duration.ofHours(2));
      rollouts.tick();
      assertThat(percentage()).as("an aborted plan leaves the flag as it is").isEqualTo(5);
      assertThatThrownBy(() -> rollouts.resume("checkout")).hasMessageContaining("aborted");

      rollouts.delete("checkout");
      assertThatThrownBy(() -> rollouts.status("checkout")).hasMessageContaining("no rollout plan");
      assertThat(actions())
          .containsExactly(
              "flags.rollout.delete",
              "flags.rollout.abort",
              "flags.rollout.step",
              "flags.rollout.resume",
              "flags.rollout.pause",
              "flags.rollout.step");
    }

    @Test
    void aDifferentPlanInProgressIsAnErrorAndAFinishedOneIsReplaced() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      rollouts.start(plan());
      assertThat(rollouts.start(plan()).step()).as("the same plan joins").isZero();
      RolloutPlan other = RolloutPlan.builder("checkout").steps(10, 100).build();
      assertThatThrownBy(() -> rollouts.start(other))
          .isInstanceOf(FlagConflictException.class)
          .hasMessageContaining("a different rollout plan for 'checkout' is in progress")
          .hasMessageContaining("\"steps\":[1.0,5.0,25.0,100.0]");

      rollouts.abort("checkout", "replanning");
      Rollouts.Status started = rollouts.start(other);
      assertThat(started.steps()).containsExactly(10.0, 100.0);
      assertThat(percentage()).isEqualTo(10);
    }

    @Test
    void aPlanOnAKilledFlagStartsPausedAndOnAMissingFlagNotAtAll() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0).withEnabled(false));
      Rollouts.Status status = rollouts.start(plan());
      assertThat(status.state()).isEqualTo(Rollouts.State.PAUSED);
      assertThat(status.reason()).contains("the flag is killed");
      assertThat(percentage()).isZero();
      assertThatThrownBy(() -> rollouts.start(RolloutPlan.builder("ghost").steps(5, 100).build()))
          .isInstanceOf(FlagConflictException.class)
          .hasMessageContaining("no flag 'ghost'");
    }

    @Test
    void aProgressRecordFromBeforePlansWereDataIsConvertedByTheCodeThatDefinesIt() {
      flags.admin().create(FlagDefinition.rollout("checkout", 5));
      store.update(
          Rollouts.NAMESPACE,
          "checkout",
          Update.builder()
              .set("progress", "{\"step\":1,\"state\":\"RUNNING\",\"reason\":null,\"changedAt\":0}")
              .build());
      assertThat(rollouts.list()).as("nothing runs a plan without its definition").isEmpty();

      Rollouts.Status status = rollouts.start(plan());

      assertThat(status.step()).isEqualTo(1);
      assertThat(status.state()).isEqualTo(Rollouts.State.RUNNING);
      assertThat(rollouts.list()).hasSize(1);
    }

    @Test
    void theNextStepIsDueAfterTheInterval() {
      flags.admin().create(FlagDefinition.rollout("checkout", 0));
      Rollouts.Status status = rollouts.start(plan());
      assertThat(status.nextStepAt()).isEqualTo(status.changedAt().plus(Duration.ofMinutes(30)));
      assertThat(status.every()).isEqualTo(Duration.ofMinutes(30));
      assertThat(flags.rollouts()).isEqualTo(Optional.of(rollouts));
    }
  }
}
