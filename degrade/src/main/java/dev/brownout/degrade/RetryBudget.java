package dev.brownout.degrade;

import dev.brownout.core.metrics.ThreadSlotCounter;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Limits retries (and failovers) to a share of calls, so that a vendor's brownout is not multiplied
 * into an outage by every caller retrying at once. Each call deposits {@code ratio} of a token
 * (kept for ten seconds), each retry withdraws one, and {@code minPerSecond} retries a second are
 * always allowed so a quiet service can still retry. With a ratio of 0.2, at most 20% more calls
 * reach the vendor than the application makes. After Finagle's retry budget.
 *
 * <p>A call's deposit is one increment of a per-thread count: no clock read, no atomic instruction.
 * Which deposits are recent is worked out from marks of that count taken once a second ({@link
 * #tick}, by the owner's scheduler) and whenever a retry asks for a token, which is the only time
 * the balance is needed.
 */
final class RetryBudget {
  /** How long a deposit counts. */
  static final long WINDOW_NANOS = 10_000_000_000L;

  private static final int WINDOW_SECONDS = 10;
  // More marks than the window has seconds, so that the mark from the window's start is kept.
  private static final int SLOTS = 16;

  private final long depositThousandths;
  private final long minimumThousandths;
  private final LongSupplier nanoTime;
  private final ThreadSlotCounter deposits = new ThreadSlotCounter();
  // Guarded by this: per second, the count of deposits then, and the thousandths withdrawn.
  private final long[] markSeconds = new long[SLOTS];
  private final long[] marks = new long[SLOTS];
  private final long[] withdrawalSeconds = new long[SLOTS];
  private final long[] withdrawals = new long[SLOTS];

  RetryBudget(double ratio, double minPerSecond, LongSupplier nanoTime) {
    this.depositThousandths = Math.round(ratio * 1000);
    this.minimumThousandths = Math.round(minPerSecond * WINDOW_SECONDS * 1000);
    this.nanoTime = nanoTime;
    Arrays.fill(markSeconds, Long.MIN_VALUE);
    Arrays.fill(withdrawalSeconds, Long.MIN_VALUE);
    tick();
  }

  /** A call was made (its first attempt). */
  void deposit() {
    deposits.increment();
  }

  /** Marks the count of deposits at the current second, if not marked yet. */
  synchronized void tick() {
    long second = second();
    int index = (int) Math.floorMod(second, (long) SLOTS);
    if (markSeconds[index] != second) {
      markSeconds[index] = second;
      marks[index] = deposits.sum();
    }
  }

  /** Takes a token for one retry; false if the budget is spent, and the retry must not be made. */
  synchronized boolean tryWithdraw() {
    tick();
    long second = second();
    long balance = minimumThousandths + recentDeposits(second) * depositThousandths;
    for (int i = 0; i < SLOTS; i++) {
      if (withdrawalSeconds[i] != Long.MIN_VALUE
          && second - withdrawalSeconds[i] < WINDOW_SECONDS) {
        balance -= withdrawals[i];
      }
    }
    if (balance < 1000) {
      return false;
    }
    int index = (int) Math.floorMod(second, (long) SLOTS);
    if (withdrawalSeconds[index] != second) {
      withdrawalSeconds[index] = second;
      withdrawals[index] = 0;
    }
    withdrawals[index] += 1000;
    return true;
  }

  /**
   * The deposits made since the window began: the count now, less the count marked when it began.
   * If that mark is missing (the ticks stopped), less the oldest mark inside the window instead,
   * which leaves out deposits of unknown age rather than count old ones as new.
   */
  private long recentDeposits(long second) {
    long start = second - WINDOW_SECONDS + 1;
    long atStart = -1;
    long oldestInside = Long.MAX_VALUE;
    long oldestInsideMark = -1;
    for (int i = 0; i < SLOTS; i++) {
      long marked = markSeconds[i];
      if (marked == Long.MIN_VALUE || marked > second) {
        continue;
      }
      // A tick may land late and skip a second: a mark up to two seconds before the start will do.
      if (marked <= start && marked >= start - 2) {
        atStart = Math.max(atStart, marks[i]);
      } else if (marked > start && marked < oldestInside) {
        oldestInside = marked;
        oldestInsideMark = marks[i];
      }
    }
    long now = deposits.sum();
    if (atStart >= 0) {
      return now - atStart;
    }
    return oldestInsideMark >= 0 ? now - oldestInsideMark : 0;
  }

  private long second() {
    return Math.floorDiv(nanoTime.getAsLong(), 1_000_000_000L);
  }
}
