package dev.brownout.degrade;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Limits retries (and failovers) to a share of calls, so that a vendor's brownout is not multiplied
 * into an outage by every caller retrying at once. Each call deposits {@code ratio} of a token
 * (kept for ten seconds), each retry withdraws one, and {@code minPerSecond} retries a second are
 * always allowed so a quiet service can still retry. With a ratio of 0.2, at most 20% more calls
 * reach the vendor than the application makes. After Finagle's retry budget.
 */
final class RetryBudget {
  /** How long a deposit counts. */
  static final long WINDOW_NANOS = 10_000_000_000L;

  private static final int SLOTS = 10;

  private final double ratio;
  private final double minPerSecond;
  private final LongSupplier nanoTime;
  // Per-second slots of deposits and withdrawals, in thousandths of a token.
  private final AtomicLong[] deposits = new AtomicLong[SLOTS];
  private final AtomicLong[] withdrawals = new AtomicLong[SLOTS];
  private final AtomicLong[] stamps = new AtomicLong[SLOTS];

  RetryBudget(double ratio, double minPerSecond, LongSupplier nanoTime) {
    this.ratio = ratio;
    this.minPerSecond = minPerSecond;
    this.nanoTime = nanoTime;
    for (int i = 0; i < SLOTS; i++) {
      deposits[i] = new AtomicLong();
      withdrawals[i] = new AtomicLong();
      stamps[i] = new AtomicLong(Long.MIN_VALUE);
    }
  }

  /** A call was made (its first attempt). */
  void deposit() {
    slot(deposits).addAndGet(Math.round(ratio * 1000));
  }

  /** Takes a token for one retry; false if the budget is spent, and the retry must not be made. */
  boolean tryWithdraw() {
    long now = nanoTime.getAsLong();
    long second = now / 1_000_000_000L;
    long balance = Math.round(minPerSecond * SLOTS * 1000);
    for (int i = 0; i < SLOTS; i++) {
      long stamp = stamps[i].get();
      if (stamp != Long.MIN_VALUE && second - stamp < SLOTS) {
        balance += deposits[i].get() - withdrawals[i].get();
      }
    }
    if (balance < 1000) {
      return false;
    }
    slot(withdrawals).addAndGet(1000);
    return true;
  }

  private AtomicLong slot(AtomicLong[] counters) {
    long second = nanoTime.getAsLong() / 1_000_000_000L;
    int index = (int) Math.floorMod(second, (long) SLOTS);
    long stamp = stamps[index].get();
    if (stamp != second && stamps[index].compareAndSet(stamp, second)) {
      // A slot's second came round again: its old counts no longer count.
      deposits[index].set(0);
      withdrawals[index].set(0);
    }
    return counters[index];
  }
}
