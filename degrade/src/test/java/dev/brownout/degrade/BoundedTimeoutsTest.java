package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.InMemoryStateStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * Synchronous timeouts on a bounded set of threads: a vendor that hangs deaf to interrupts cannot
 * take more than the bound, and what the caller carries (MDC, OpenTelemetry, idempotency key)
 * reaches the attempt.
 */
class BoundedTimeoutsTest {
  static final int BOUND = 32;
  static final int CALLERS = 200;

  final InMemoryStateStore store = InMemoryStateStore.create();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Resilience resilience =
      Resilience.builder(store)
          .timeoutMaxThreads(BOUND)
          .timeout("vendor", java.time.Duration.ofMillis(50))
          .metrics(BrownoutMetrics.of(registry))
          .build();
  final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void close() {
    release.countDown();
    resilience.close();
    store.close();
  }

  public interface Vendor {
    @Timeout("vendor")
    String call();
  }

  /** Hangs until released, ignoring every interrupt, as blocking socket I/O does. */
  final class DeafVendor implements Vendor {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();

    @Override
    public String call() {
      peak.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        while (true) {
          try {
            if (release.await(10, TimeUnit.SECONDS)) {
              return "late";
            }
          } catch (InterruptedException e) {
            // deaf: keep waiting, as a read on a socket does
          }
        }
      } finally {
        running.decrementAndGet();
      }
    }
  }

  @Test
  void aVendorDeafToInterruptsHoldsAtMostTheBoundUnder200Callers() throws Exception {
    DeafVendor vendor = new DeafVendor();
    Vendor guarded =
        GuardedProxies.builder().add(resilience.guards()).build().proxy(Vendor.class, vendor);
    ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
    List<Future<Throwable>> outcomes = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      outcomes.add(
          callers.submit(
              () -> {
                try {
                  guarded.call();
                  return null;
                } catch (Throwable t) {
                  return t;
                }
              }));
    }
    int timedOut = 0;
    int refused = 0;
    for (Future<Throwable> outcome : outcomes) {
      Throwable failure = outcome.get(30, TimeUnit.SECONDS);
      if (failure instanceof CallTimeoutException) {
        timedOut++;
      } else if (failure instanceof CallRejectedException) {
        refused++;
      }
    }
    callers.shutdown();
    System.out.printf(
        "%d callers: %d timed out, %d refused at once; peak timeout threads %d (bound %d),"
            + " peak vendor calls %d%n",
        CALLERS, timedOut, refused, resilience.timeoutThreadsPeak(), BOUND, vendor.peak.get());
    assertThat(timedOut + refused).isEqualTo(CALLERS);
    assertThat(resilience.timeoutThreadsPeak()).isLessThanOrEqualTo(BOUND);
    assertThat(vendor.peak.get()).isLessThanOrEqualTo(BOUND);
    assertThat(refused).as("callers beyond the bound are refused, not queued").isPositive();
    assertThat(registry.get("brownout.degrade.timeout.rejected").counter().count())
        .isEqualTo(refused);
    assertThat(registry.get("brownout.degrade.timeouts").counter().count()).isEqualTo(timedOut);

    release.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (resilience.timeoutThreadsInUse() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(resilience.timeoutThreadsInUse())
        .as("threads come back when the vendor does")
        .isZero();
  }

  static final ContextKey<String> TENANT = ContextKey.named("tenant");

  @Test
  void theCallersMdcOpenTelemetryContextAndIdempotencyKeyReachTheAttempt() throws Exception {
    AtomicReference<String> seenMdc = new AtomicReference<>();
    AtomicReference<String> seenTenant = new AtomicReference<>();
    AtomicReference<String> seenKey = new AtomicReference<>();
    AtomicReference<String> seenThread = new AtomicReference<>();
    Vendor vendor =
        () -> {
          seenMdc.set(MDC.get("request"));
          seenTenant.set(Context.current().get(TENANT));
          seenKey.set(IdempotencyKey.current().orElse(null));
          seenThread.set(Thread.currentThread().getName());
          return "ok";
        };
    Vendor guarded =
        GuardedProxies.builder().add(resilience.guards()).build().proxy(Vendor.class, vendor);
    MDC.put("request", "r-17");
    Scope scope = Context.current().with(TENANT, "acme").makeCurrent();
    try {
      IdempotencyKey.with("booking-1001", guarded::call);
    } finally {
      scope.close();
      MDC.remove("request");
    }
    assertThat(seenThread.get()).startsWith("brownout-timeout");
    assertThat(seenMdc.get()).isEqualTo("r-17");
    assertThat(seenTenant.get()).isEqualTo("acme");
    assertThat(seenKey.get()).isEqualTo("booking-1001");
  }
}
