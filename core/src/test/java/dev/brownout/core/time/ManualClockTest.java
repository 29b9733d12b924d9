package dev.brownout.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ManualClockTest {
  @Test
  void wallClockAndTickerMoveTogetherAndOnlyForward() {
    ManualClock clock = new ManualClock(Instant.parse("2026-05-01T10:00:00Z"));
    long start = clock.nanoTime();

    clock.advance(Duration.ofMillis(1500));

    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-05-01T10:00:01.500Z"));
    assertThat(clock.millis()).isEqualTo(Instant.parse("2026-05-01T10:00:01.500Z").toEpochMilli());
    assertThat(clock.nanoTime() - start).isEqualTo(1_500_000_000L);
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
        .hasMessageContaining("only move forward");
  }
}
