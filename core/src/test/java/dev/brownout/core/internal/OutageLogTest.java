package dev.brownout.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.time.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** One line when a dependency fails, a summary per interval, one line when it recovers. */
class OutageLogTest {
  /** Keeps every line logged, formatted, with its level. */
  static final class Captured extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    final List<String> lines = new CopyOnWriteArrayList<>();

    Captured() {
      this.name = "captured";
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String message, Object[] arguments, Throwable throwable) {
      lines.add(level + " " + MessageFormatter.basicArrayFormat(message, arguments));
    }

    @Override
    public boolean isTraceEnabled() {
      return true;
    }

    @Override
    public boolean isDebugEnabled() {
      return true;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }
  }

  @Test
  void aThousandFailuresMakeOneLinePlusASummaryPerIntervalAndOneRecovery() {
    Captured log = new Captured();
    ManualClock clock = new ManualClock();
    OutageLog outage = new OutageLog(log, "Session store (redis)", clock, Duration.ofSeconds(30));

    for (int i = 0; i <= 1000; i++) {
      outage.failed(
          "requests fail closed (503)", new IllegalStateException("timed out after 500ms"));
      clock.advance(Duration.ofMillis(60)); // to 60 s: a summary at 30 s and at 60 s
    }
    assertThat(outage.down()).isTrue();
    assertThat(outage.failures()).isEqualTo(1001);
    outage.recovered();
    outage.recovered();

    assertThat(log.lines).hasSize(4);
    assertThat(log.lines.get(0))
        .isEqualTo(
            "WARN Session store (redis) unreachable: timed out after 500ms; requests fail closed"
                + " (503)");
    assertThat(log.lines.get(1))
        .startsWith("WARN Session store (redis) still unreachable: 500 failures in the last 30s");
    assertThat(log.lines.get(2)).startsWith("WARN Session store (redis) still unreachable:");
    assertThat(log.lines.get(3))
        .isEqualTo("INFO Session store (redis) answers again after 1m0s and 1001 failures");
    assertThat(outage.down()).isFalse();
  }

  @Test
  void aHealthyDependencyLogsNothing() {
    Captured log = new Captured();
    OutageLog outage = new OutageLog(log, "Flag store");
    for (int i = 0; i < 100; i++) {
      outage.recovered();
    }
    assertThat(log.lines).isEmpty();
  }
}
