package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The retry budget against a clock the test moves, with and without its once-a-second ticks. */
class RetryBudgetTest {
  static final long SECOND = 1_000_000_000L;
  final AtomicLong now = new AtomicLong(1000 * SECOND);

  int withdrawals(RetryBudget budget, int tries) {
    int granted = 0;
    for (int i = 0; i < tries; i++) {
      if (budget.tryWithdraw()) {
        granted++;
      }
    }
    return granted;
  }

  void pass(RetryBudget budget, int seconds, boolean ticking) {
    for (int i = 0; i < seconds; i++) {
      now.addAndGet(SECOND);
      if (ticking) {
        budget.tick();
      }
    }
  }

  @Test
  void aShareOfRecentCallsMayBeRetried() {
    RetryBudget budget = new RetryBudget(0.2, 0, now::get);
    for (int i = 0; i < 100; i++) {
      budget.deposit();
    }
    assertThat(withdrawals(budget, 50)).isEqualTo(20);
    pass(budget, 3, true);
    assertThat(withdrawals(budget, 5)).as("withdrawals count for the window too").isZero();
  }

  @Test
  void depositsOlderThanTheWindowNoLongerCount() {
    RetryBudget budget = new RetryBudget(0.2, 0, now::get);
    for (int i = 0; i < 100; i++) {
      budget.deposit();
    }
    pass(budget, 5, true);
    for (int i = 0; i < 50; i++) {
      budget.deposit();
    }
    pass(budget, 6, true);
    // 11 seconds on: the first 100 calls are out of the window, the later 50 are in it.
    assertThat(withdrawals(budget, 50)).isEqualTo(10);
    pass(budget, 10, true);
    assertThat(withdrawals(budget, 5)).isZero();
  }

  @Test
  void withoutTicksOldDepositsAreLeftOutNotCountedAsNew() {
    RetryBudget budget = new RetryBudget(0.2, 0, now::get);
    for (int i = 0; i < 100; i++) {
      budget.deposit();
    }
    pass(budget, 30, false);
    assertThat(withdrawals(budget, 5)).as("deposits of unknown age").isZero();
  }

  @Test
  void aQuietServiceMayStillRetryAFewTimesASecond() {
    RetryBudget budget = new RetryBudget(0.2, 1, now::get);
    assertThat(withdrawals(budget, 50))
        .as("one a second, over the ten-second window")
        .isEqualTo(10);
  }
}
