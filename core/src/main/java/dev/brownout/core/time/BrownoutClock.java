package dev.brownout.core.time;

import java.time.Instant;

/**
 * The source of wall-clock time and of a monotonic ticker. Wall-clock time is for timestamps that
 * leave the process (expiry, audit records); the ticker is for measuring elapsed time, which must
 * not jump when the wall clock is adjusted.
 */
public interface BrownoutClock {

  /** The current instant on the wall clock. */
  Instant instant();

  /** The current wall-clock time in milliseconds since the epoch. */
  default long millis() {
    return instant().toEpochMilli();
  }

  /** A monotonic reading in nanoseconds, meaningful only as a difference between two readings. */
  long nanoTime();

  /** The system clock: {@link System#currentTimeMillis()} and {@link System#nanoTime()}. */
  static BrownoutClock system() {
    return SystemClock.INSTANCE;
  }
}
