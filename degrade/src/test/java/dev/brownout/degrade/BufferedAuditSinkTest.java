package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.AuditSink;
import dev.brownout.core.metrics.BrownoutMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The audit sink behind a bounded buffer: order, outages, a full buffer. */
class BufferedAuditSinkTest {
  /** A sink that fails while told to, and keeps what it took. */
  static final class FlakySink implements AuditSink {
    final List<AuditRecord> taken = new CopyOnWriteArrayList<>();
    volatile boolean failing;

    @Override
    public void record(AuditRecord record) {
      if (failing) {
        throw new IllegalStateException("log service down");
      }
      taken.add(record);
    }

    @Override
    public List<AuditRecord> recent(int limit) {
      return List.copyOf(taken);
    }

    @Override
    public boolean keepsRecords() {
      return true;
    }
  }

  static AuditRecord record(int i) {
    return AuditRecord.builder(Instant.now(), "alice", "flags.set", "flag/" + i).build();
  }

  @Test
  void aBufferedAuditSinkDeliversInOrderThroughAnOutageAndRefusesWhenFull() throws Exception {
    FlakySink sink = new FlakySink();
    sink.failing = true;
    try (BufferedAuditSink buffered =
        BufferedAuditSink.of(sink, "audit", 5, Duration.ofMillis(10), BrownoutMetrics.inMemory())) {
      for (int i = 0; i < 5; i++) {
        buffered.record(record(i));
      }
      assertThatThrownBy(() -> buffered.record(record(5)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("audit buffer audit is full");
      sink.failing = false;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (buffered.waiting() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(sink.taken)
          .extracting(AuditRecord::target)
          .containsExactly("flag/0", "flag/1", "flag/2", "flag/3", "flag/4");
    }
  }

  /** A sink that refuses the first few records it is handed, as a log service starting up does. */
  static final class SlowToStartSink implements AuditSink {
    final List<AuditRecord> taken = new CopyOnWriteArrayList<>();
    final AtomicInteger refusalsLeft;

    SlowToStartSink(int refusals) {
      this.refusalsLeft = new AtomicInteger(refusals);
    }

    @Override
    public void record(AuditRecord record) {
      if (refusalsLeft.getAndDecrement() > 0) {
        throw new IllegalStateException("log service not ready");
      }
      taken.add(record);
    }

    @Override
    public List<AuditRecord> recent(int limit) {
      return List.copyOf(taken);
    }

    @Override
    public boolean keepsRecords() {
      return true;
    }
  }

  @Test
  void closingDeliversWhatIsQueuedFirstThenTakesNoMore() {
    SlowToStartSink sink = new SlowToStartSink(2);
    BufferedAuditSink buffered =
        BufferedAuditSink.of(sink, "audit", 10, Duration.ofMillis(10), BrownoutMetrics.inMemory());
    for (int i = 0; i < 3; i++) {
      buffered.record(record(i));
    }
    assertThat(buffered.close(Duration.ofSeconds(20))).as("everything delivered").isTrue();
    assertThat(sink.taken)
        .extracting(AuditRecord::target)
        .containsExactly("flag/0", "flag/1", "flag/2");
    assertThat(buffered.waiting()).isZero();
    assertThatThrownBy(() -> buffered.record(record(3)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("audit buffer audit is closed");
    assertThat(buffered.close(Duration.ofSeconds(1))).as("closing twice is harmless").isTrue();
  }

  @Test
  void closingGivesUpOnASinkThatStaysDownAfterItsTimeoutAndSaysSo() {
    FlakySink sink = new FlakySink();
    sink.failing = true;
    BufferedAuditSink buffered =
        BufferedAuditSink.of(sink, "audit", 10, Duration.ofMillis(10), BrownoutMetrics.inMemory());
    buffered.record(record(0));
    buffered.record(record(1));
    assertThat(buffered.close(Duration.ofMillis(300))).isFalse();
    assertThat(buffered.waiting()).isEqualTo(2);
    assertThat(sink.taken).isEmpty();
  }
}
