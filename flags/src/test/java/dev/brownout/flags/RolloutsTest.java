package dev.brownout.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.core.time.ManualClock;
import dev.brownout.state.InMemoryStateStore;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RolloutsTest {
  final ManualClock clock = new ManualClock();
  final InMemoryStateStore store = InMemoryStateStore.builder().clock(clock).build();
  final Flags flags = Flags.builder(store).clock(clock).build();
  final InMemoryAuditSink audit = new InMemoryAuditSink(100);
  final Rollouts rollouts =
      Rollouts.builder(flags).clock(clock).auditSink(audit).manualTicks().build();

  @AfterEach
  void close() {
    rollouts.close();
    flags.close();
  }

  double exposure() {
    return FlagAdmin.exposure(flags.snapshot().definition("checkout").orElseThrow());
  }

  @Test
  void stepsAdvanceOnScheduleToTheEnd() {
    flags.admin().create(FlagDefinition.rollout("checkout", 0));
    rollouts.start(
        RolloutPlan.builder("checkout").steps(1, 5, 25, 100).every(Duration.ofMinutes(30)).build());
    assertThat(exposure()).isEqualTo(1);

    rollouts.tick();
    assertThat(exposure()).as("not due yet").isEqualTo(1);
    for (double expected : new double[] {5, 25, 100}) {
      clock.advance(Duration.ofMinutes(30));
      rollouts.tick();
      assertThat(exposure()).isEqualTo(expected);
    }
    assertThat(rollouts.status("checkout").state()).isEqualTo(Rollouts.State.COMPLETED);
    assertThat(audit.recent(10))
        .extracting(AuditRecord::action)
        .containsOnly("flags.rollout.step")
        .hasSize(4);
  }

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
    assertThat(halt.reason()).contains("payments breaker open");
    assertThat(halt.before()).contains("25.0");
    assertThat(halt.after()).contains("5.0");

    breakerOpen.set(false);
    clock.advance(Duration.ofHours(5));
    rollouts.tick();
    assertThat(exposure()).as("a halted plan stays halted").isEqualTo(5);
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
  void badPlansAreRefusedWithEveryProblem() {
    assertThatThrownBy(() -> RolloutPlan.builder("x").steps(10, 5, 120).build())
        .hasMessageContaining("step 3 must be above 0 and at most 100 but was 120.0")
        .hasMessageContaining("steps must rise, but step 2 (5.0) is not above step 1 (10.0)");
    assertThatThrownBy(() -> RolloutPlan.builder("x").steps(100).build())
        .hasMessageContaining("confirmJumpToEveryone");
    assertThat(RolloutPlan.builder("x").steps(100).confirmJumpToEveryone().build().steps())
        .containsExactly(100.0);
  }
}
