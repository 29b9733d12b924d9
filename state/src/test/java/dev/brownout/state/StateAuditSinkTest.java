package dev.brownout.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StateAuditSinkTest {
  final ManualClock clock = new ManualClock();
  final InMemoryStateStore store = InMemoryStateStore.builder().clock(clock).build();

  AuditRecord record(Instant at, String target) {
    return new AuditRecord(
        at, "ops", "flags.replace", target, "{\"on\":false}", "{\"on\":true}", "launch");
  }

  @Test
  void recordsSurviveANewSinkAndComeBackNewestFirst() {
    Instant start = clock.instant();
    StateAuditSink first = new StateAuditSink(store);
    first.record(record(start, "flag a"));
    first.record(record(start.plusMillis(1), "flag b"));
    first.record(record(start.plusSeconds(1), "flag c"));

    StateAuditSink afterRestart = new StateAuditSink(store);

    assertThat(afterRestart.recent(2))
        .extracting(AuditRecord::target)
        .containsExactly("flag c", "flag b");
    AuditRecord newest = afterRestart.recent(1).get(0);
    assertThat(newest).isEqualTo(record(start.plusSeconds(1), "flag c"));
  }

  @Test
  void recordsExpireAfterTheRetention() {
    StateAuditSink sink = new StateAuditSink(store, Namespace.small("audit"), Duration.ofDays(1));
    sink.record(record(clock.instant(), "old"));

    clock.advance(Duration.ofDays(2));

    assertThat(sink.recent(10)).isEmpty();
  }

  @Test
  void theNamespaceMustBeListable() {
    assertThatThrownBy(
            () -> new StateAuditSink(store, Namespace.large("audit"), Duration.ofDays(1)))
        .hasMessageContaining("must be small");
  }
}
