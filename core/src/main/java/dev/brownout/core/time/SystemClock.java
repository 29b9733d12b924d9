package dev.brownout.core.time;

import java.time.Instant;

/** The process's own clock. */
enum SystemClock implements BrownoutClock {
  INSTANCE;

  @Override
  public Instant instant() {
    return Instant.now();
  }

  @Override
  public long millis() {
    return System.currentTimeMillis();
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public String toString() {
    return "BrownoutClock.system()";
  }
}
