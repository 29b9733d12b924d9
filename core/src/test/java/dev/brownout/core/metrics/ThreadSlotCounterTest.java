package dev.brownout.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadSlotCounterTest {

  @Test
  void countsEveryIncrementFromOneThread() {
    ThreadSlotCounter counter = new ThreadSlotCounter();

    for (int i = 0; i < 1000; i++) {
      counter.increment();
    }

    assertThat(counter.sum()).isEqualTo(1000);
    assertThat(counter.doubleValue()).isEqualTo(1000.0);
  }

  @Test
  void losesNothingWhenManyMoreThreadsThanSlotsCountAtOnce() throws InterruptedException {
    // 300 threads over 128 slots: most share the fallback adder, some own a slot, and slots
    // collide; every increment must still be counted exactly once.
    ThreadSlotCounter counter = new ThreadSlotCounter();
    int threads = 300;
    int each = 20_000;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < each; i++) {
                  counter.increment();
                }
              });
      thread.start();
      started.add(thread);
    }

    start.countDown();
    long seenWhileCounting = counter.sum();
    for (Thread thread : started) {
      thread.join();
    }

    assertThat(seenWhileCounting).isBetween(0L, (long) threads * each);
    assertThat(counter.sum()).isEqualTo((long) threads * each);
  }

  @Test
  void keepsTheCountsOfThreadsThatHaveEnded() throws InterruptedException {
    ThreadSlotCounter counter = new ThreadSlotCounter();
    for (int t = 0; t < 200; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 10; i++) {
                  counter.increment();
                }
              });
      thread.start();
      thread.join();
    }
    counter.increment();

    assertThat(counter.sum()).isEqualTo(2001);
  }

  @Test
  void aReaderSeesTheCountGrowAndNeverShrink() throws InterruptedException {
    ThreadSlotCounter counter = new ThreadSlotCounter();
    Thread writer =
        new Thread(
            () -> {
              for (int i = 0; i < 2_000_000; i++) {
                counter.increment();
              }
            });
    writer.start();
    long last = 0;
    while (writer.isAlive()) {
      long now = counter.sum();
      assertThat(now).isGreaterThanOrEqualTo(last);
      last = now;
    }
    writer.join();

    assertThat(counter.sum()).isEqualTo(2_000_000);
  }
}
