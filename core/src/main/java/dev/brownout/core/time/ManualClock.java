package dev.brownout.core.time;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to, for deterministic tests of expiry, leases and schedules.
 * The wall clock and the ticker advance together. Thread-safe.
 */
public final class ManualClock implements BrownoutClock {
  private final AtomicLong epochNanos;
  private final AtomicLong ticker = new AtomicLong();

  /** A clock that starts at {@code start}. */
  public ManualClock(Instant start) {
    Objects.requireNonNull(start, "start");
    this.epochNanos = new AtomicLong(start.getEpochSecond() * 1_000_000_000L + start.getNano());
  }

  /** A clock that starts at 2026-01-01T00:00:00Z, a fixed point so test output is repeatable. */
  public ManualClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Override
  public Instant instant() {
    long nanos = epochNanos.get();
    return Instant.ofEpochSecond(
        Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  @Override
  public long nanoTime() {
    return ticker.get();
  }

  /**
   * Moves the clock forward.
   *
   * @throws IllegalArgumentException if {@code amount} is negative: a ticker never runs backwards
   */
  public ManualClock advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException(
          "a clock can only move forward, but was asked to move " + amount);
    }
    long nanos = amount.toNanos();
    epochNanos.addAndGet(nanos);
    ticker.addAndGet(nanos);
    return this;
  }

  @Override
  public String toString() {
    return "ManualClock[" + instant() + "]";
  }
}
