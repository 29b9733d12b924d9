package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.ConfigurationException;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adaptive limit on a manual clock: admission by priority, growth, shrinking, bounds. */
class ConcurrencyLimiterTest {
  final ManualClock clock = new ManualClock();
  @TempDir Path dir;

  ConcurrencyLimiter.Builder limiter() {
    return ConcurrencyLimiter.builder("payments").clock(clock).window(Duration.ofMillis(1));
  }

  /** {@code calls} calls of {@code latency} run side by side and end. */
  void round(ConcurrencyLimiter limiter, int calls, Duration latency) {
    List<Long> permits = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      long permit = limiter.tryAcquire(Priority.CRITICAL);
      if (permit != ConcurrencyLimiter.REJECTED) {
        permits.add(permit);
      }
    }
    clock.advance(latency);
    permits.forEach(limiter::onSuccess);
  }

  @Test
  void lowPriorityIsRefusedBeforeNormalBeforeHighBeforeCritical() {
    ConcurrencyLimiter limiter = limiter().initialLimit(20).build();
    assertThat(limiter.threshold(Priority.LOW)).isEqualTo(10);
    assertThat(limiter.threshold(Priority.NORMAL)).isEqualTo(15);
    assertThat(limiter.threshold(Priority.HIGH)).isEqualTo(18);
    assertThat(limiter.threshold(Priority.CRITICAL)).isEqualTo(20);
    int admitted = 0;
    for (int i = 0; i < 30; i++) {
      if (limiter.tryAcquire(Priority.LOW) != ConcurrencyLimiter.REJECTED) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(10);
    assertThat(limiter.shed(Priority.LOW)).isEqualTo(20);
    // With ten low-priority calls running, normal ones still get in, up to their share.
    for (int i = 0; i < 5; i++) {
      assertThat(limiter.tryAcquire(Priority.NORMAL)).isNotEqualTo(ConcurrencyLimiter.REJECTED);
    }
    assertThat(limiter.tryAcquire(Priority.NORMAL)).isEqualTo(ConcurrencyLimiter.REJECTED);
    assertThat(limiter.tryAcquire(Priority.HIGH)).isNotEqualTo(ConcurrencyLimiter.REJECTED);
    assertThat(limiter.tryAcquire(Priority.CRITICAL)).isNotEqualTo(ConcurrencyLimiter.REJECTED);
    assertThat(limiter.inFlight()).isEqualTo(17);
    assertThat(limiter.shed(Priority.HIGH)).isZero();
    assertThat(limiter.shed(Priority.CRITICAL)).isZero();
  }

  @Test
  void theLimitGrowsWhileLatencyStaysNearNoLoadAndTheLimitIsUsed() {
    ConcurrencyLimiter limiter = limiter().initialLimit(10).build();
    for (int i = 0; i < 20; i++) {
      round(limiter, limiter.limit(), Duration.ofMillis(5));
    }
    assertThat(limiter.limit()).isGreaterThan(20);
    assertThat(limiter.noLoadLatency()).isEqualTo(Duration.ofMillis(5));
  }

  @Test
  void theLimitDoesNotGrowWhenItIsNotUsed() {
    ConcurrencyLimiter limiter = limiter().initialLimit(20).build();
    for (int i = 0; i < 20; i++) {
      round(limiter, 8, Duration.ofMillis(5));
    }
    assertThat(limiter.limit()).isEqualTo(20);
  }

  @Test
  void aDependencyThatSlowsDownFromFiveToFiveHundredMillisecondsShrinksTheLimitToItsMinimum() {
    ConcurrencyLimiter limiter = limiter().initialLimit(40).minLimit(4).build();
    for (int i = 0; i < 5; i++) {
      round(limiter, 40, Duration.ofMillis(5));
    }
    int before = limiter.limit();
    round(limiter, 40, Duration.ofMillis(500));
    assertThat(limiter.limit()).as("halved at most per window").isEqualTo((before + 1) / 2);
    for (int i = 0; i < 10; i++) {
      round(limiter, 40, Duration.ofMillis(500));
    }
    assertThat(limiter.limit()).isEqualTo(4);
    assertThat(limiter.latency()).isEqualTo(Duration.ofMillis(500));
    // Five and a half seconds of slow calls move the no-load latency only a little (it forgets a
    // faster past over ConcurrencyLimiter.NO_LOAD_MEMORY), so the limit holds latency down.
    assertThat(limiter.noLoadLatency()).isLessThan(Duration.ofMillis(100));
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void timeoutsBackTheLimitOffByATenth() {
    ConcurrencyLimiter limiter = limiter().initialLimit(50).build();
    long permit = limiter.tryAcquire(Priority.NORMAL);
    clock.advance(Duration.ofMillis(2));
    limiter.onDropped(permit);
    assertThat(limiter.limit()).isEqualTo(45);
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void ignoredOutcomesReleaseTheirPermitWithoutMovingTheLimit() {
    ConcurrencyLimiter limiter = limiter().initialLimit(10).build();
    for (int i = 0; i < 100; i++) {
      long permit = limiter.tryAcquire(Priority.NORMAL);
      clock.advance(Duration.ofSeconds(1));
      limiter.onIgnore(permit);
    }
    assertThat(limiter.limit()).isEqualTo(10);
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void underContentionNoMoreThanTheLimitRunsAndEveryPermitIsReturned() throws Exception {
    ConcurrencyLimiter limiter =
        ConcurrencyLimiter.builder("fixed").initialLimit(5).minLimit(5).maxLimit(5).build();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < 8; t++) {
      pool.execute(
          () -> {
            try {
              go.await();
            } catch (InterruptedException e) {
              return;
            }
            for (int i = 0; i < 20_000; i++) {
              long permit = limiter.tryAcquire(Priority.CRITICAL);
              if (permit == ConcurrencyLimiter.REJECTED) {
                refused.incrementAndGet();
                continue;
              }
              most.accumulateAndGet(running.incrementAndGet(), Math::max);
              running.decrementAndGet();
              limiter.onSuccess(permit);
            }
          });
    }
    go.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    assertThat(most.get()).isLessThanOrEqualTo(5);
    assertThat(limiter.inFlight()).isZero();
    assertThat(limiter.shed(Priority.CRITICAL)).isEqualTo(refused.get());
  }

  @Test
  void limitsOutOfOrderAreRefusedNamingEveryKey() {
    assertThatThrownBy(() -> limiter().minLimit(50).maxLimit(10).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("min <= initial <= max")
        .hasMessageContaining("brownout.degrade.concurrency.min-limit = 50")
        .hasMessageContaining("brownout.degrade.concurrency.max-limit = 10")
        .hasMessageContaining("brownout.degrade.concurrency.initial-limit");
  }

  @Test
  void aToleranceBelowOneIsABadSetting() throws Exception {
    assertThatThrownBy(() -> limiter().tolerance(0.5))
        .hasMessageContaining("brownout.degrade.concurrency.tolerance");
    Path file = dir.resolve("brownout.properties");
    Files.writeString(file, "brownout.degrade.concurrency.tolerance=0.5\n");
    assertThatThrownBy(() -> BrownoutConfig.builder().propertiesFile(file).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("brownout.degrade.concurrency.tolerance");
  }

  @Test
  void settingsFromATypedSetterAndFromAPropertiesFileAreTheSame() throws Exception {
    Path file = dir.resolve("brownout.properties");
    Files.writeString(
        file,
        "brownout.degrade.concurrency.initial-limit=7\nbrownout.degrade.concurrency.max-limit=9\n");
    BrownoutConfig config = BrownoutConfig.builder().propertiesFile(file).build();
    ConcurrencyLimiter typed = limiter().initialLimit(7).maxLimit(9).build();
    ConcurrencyLimiter configured = limiter().config(config).build();
    assertThat(typed.limit()).isEqualTo(configured.limit()).isEqualTo(7);
    assertThat(typed.view().get("settings")).isEqualTo(configured.view().get("settings"));
  }

  @Test
  void itsMetersShowLimitInFlightAndShedByPriority() {
    BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    ConcurrencyLimiter limiter = limiter().initialLimit(2).minLimit(1).metrics(metrics).build();
    limiter.tryAcquire(Priority.LOW);
    limiter.tryAcquire(Priority.LOW);
    var registry = metrics.registry();
    assertThat(registry.get("brownout.degrade.concurrency.limit").gauge().value()).isEqualTo(2);
    assertThat(registry.get("brownout.degrade.concurrency.in_flight").gauge().value()).isEqualTo(1);
    assertThat(
            registry
                .get("brownout.degrade.concurrency.shed")
                .tag("limiter", "payments")
                .tag("priority", "low")
                .functionCounter()
                .count())
        .isEqualTo(1);
  }
}
