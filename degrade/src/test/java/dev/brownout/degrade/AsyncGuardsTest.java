package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.guard.GuardConfigurationException;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.state.InMemoryStateStore;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Guards on methods that return {@code CompletionStage}: the outcome that counts is the future's,
 * which completes after the method returned.
 */
class AsyncGuardsTest {
  final InMemoryStateStore store = InMemoryStateStore.create();
  final ScheduledExecutorService vendorThreads = Executors.newScheduledThreadPool(4);
  final Resilience resilience =
      Resilience.builder(store)
          .circuitBreaker(
              "vendor",
              CircuitBreakerConfig.custom()
                  .slidingWindowSize(4)
                  .minimumNumberOfCalls(4)
                  .failureRateThreshold(50)
                  .waitDurationInOpenState(Duration.ofMinutes(1))
                  .build())
          .retry(
              "vendor",
              RetryConfig.custom()
                  .maxAttempts(3)
                  .waitDuration(Duration.ofMillis(10))
                  .retryExceptions(IOException.class)
                  .retryOnResult(result -> "busy".equals(result))
                  .build())
          .bulkhead("vendor", BulkheadConfig.custom().maxConcurrentCalls(1).build())
          .fallback(Quotes.class, new CachedQuotes())
          .retryBudgetMinPerSecond(1000)
          .build();

  @AfterEach
  void close() {
    resilience.close();
    vendorThreads.shutdownNow();
    store.close();
  }

  public interface Quotes {
    @Retry("vendor")
    CompletionStage<String> quote(String item);

    @Timeout(millis = 100)
    CompletableFuture<String> slowQuote(String item);

    @CircuitBreaker("vendor")
    CompletionStage<String> guarded(String item);

    @Fallback
    @Retry("vendor")
    CompletionStage<String> withFallback(String item);

    @Bulkhead("vendor")
    CompletionStage<String> oneAtATime(String item);
  }

  /** Answers from a cache; sees the failure it stands in for. */
  public static final class CachedQuotes {
    public CompletionStage<String> withFallback(String item, Throwable failure) {
      return CompletableFuture.completedFuture(
          "cached " + item + " after " + failure.getClass().getSimpleName());
    }
  }

  /** A vendor whose futures fail or answer later, on its own threads. */
  final class Vendor implements Quotes {
    final AtomicInteger calls = new AtomicInteger();
    volatile int failFirst;
    volatile String answer = "42";

    <T> CompletableFuture<T> later(java.util.concurrent.Callable<T> work, long millis) {
      CompletableFuture<T> future = new CompletableFuture<>();
      vendorThreads.schedule(
          () -> {
            try {
              future.complete(work.call());
            } catch (Exception e) {
              future.completeExceptionally(e);
            }
          },
          millis,
          TimeUnit.MILLISECONDS);
      return future;
    }

    @Override
    public CompletionStage<String> quote(String item) {
      int n = calls.incrementAndGet();
      return later(
          () -> {
            if (n <= failFirst) {
              throw new IOException("vendor reset the connection (attempt " + n + ")");
            }
            return answer;
          },
          5);
    }

    volatile CompletableFuture<String> lastSlow;

    @Override
    public CompletableFuture<String> slowQuote(String item) {
      calls.incrementAndGet();
      lastSlow = later(() -> "late", 2000);
      return lastSlow;
    }

    @Override
    public CompletionStage<String> guarded(String item) {
      return quote(item);
    }

    @Override
    public CompletionStage<String> withFallback(String item) {
      return quote(item);
    }

    @Override
    public CompletionStage<String> oneAtATime(String item) {
      return later(() -> "done", 300);
    }
  }

  Quotes proxy(Vendor vendor) {
    return GuardedProxies.builder().add(resilience.guards()).build().proxy(Quotes.class, vendor);
  }

  @Test
  void aFailureAfterTheFutureIsReturnedIsRetried() throws Exception {
    Vendor vendor = new Vendor();
    vendor.failFirst = 2;
    assertThat(proxy(vendor).quote("a").toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEqualTo("42");
    assertThat(vendor.calls).hasValue(3);
  }

  /** A vendor that answers at once: its futures are complete when they are returned. */
  static final class AtOnceVendor implements Quotes {
    final AtomicInteger calls = new AtomicInteger();
    volatile int failFirst;
    volatile String answer = "42";

    @Override
    public CompletionStage<String> quote(String item) {
      int n = calls.incrementAndGet();
      return n <= failFirst
          ? CompletableFuture.failedFuture(new IOException("refused (attempt " + n + ")"))
          : CompletableFuture.completedFuture(answer);
    }

    volatile CompletableFuture<String> lastSlow;

    @Override
    public CompletableFuture<String> slowQuote(String item) {
      lastSlow = CompletableFuture.completedFuture("fast");
      return lastSlow;
    }

    @Override
    public CompletionStage<String> guarded(String item) {
      return quote(item);
    }

    @Override
    public CompletionStage<String> withFallback(String item) {
      return quote(item);
    }

    @Override
    public CompletionStage<String> oneAtATime(String item) {
      return quote(item);
    }
  }

  @Test
  void futuresCompleteWhenReturnedAreRetriedAndCountedAsLaterOnesAre() throws Exception {
    AtOnceVendor vendor = new AtOnceVendor();
    Quotes quotes =
        GuardedProxies.builder().add(resilience.guards()).build().proxy(Quotes.class, vendor);
    assertThat(quotes.quote("a").toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("42");
    assertThat(vendor.calls).as("answered at once, no retry").hasValue(1);

    vendor.failFirst = 3;
    assertThat(quotes.quote("b").toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("42");
    assertThat(vendor.calls).as("two failures at once, then the answer").hasValue(4);

    vendor.calls.set(0);
    vendor.failFirst = 0;
    vendor.answer = "busy";
    assertThat(quotes.quote("c").toCompletableFuture().get(5, TimeUnit.SECONDS))
        .as("a rejected result, complete when returned, is retried too")
        .isEqualTo("busy");
    assertThat(vendor.calls).hasValue(3);

    var breaker = resilience.circuitBreaker("vendor");
    long before = breaker.getMetrics().getNumberOfSuccessfulCalls();
    vendor.answer = "42";
    quotes.guarded("d").toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(breaker.getMetrics().getNumberOfSuccessfulCalls())
        .as("the breaker saw the call that was complete when returned")
        .isEqualTo(before + 1);
  }

  @Test
  void aResultTheRetryRuleRejectsIsRetried() throws Exception {
    Vendor vendor = new Vendor();
    vendor.answer = "busy";
    assertThat(proxy(vendor).quote("a").toCompletableFuture().get(5, TimeUnit.SECONDS))
        .as("the last answer, once attempts are used up")
        .isEqualTo("busy");
    assertThat(vendor.calls).hasValue(3);
  }

  @Test
  void theFutureIsFailedAtItsDeadlineWithoutHoldingAThread() {
    Vendor vendor = new Vendor();
    CompletableFuture<String> quote = proxy(vendor).slowQuote("a");
    assertThatThrownBy(() -> quote.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(CallTimeoutException.class);
    assertThat(resilience.timeoutThreadsPeak()).as("no timeout thread used").isZero();
    assertThat(vendor.lastSlow.isCancelled())
        .as("the vendor's own future is left to finish: it may be shared")
        .isFalse();
  }

  /** Methods whose vendor answers with a minimal stage, whose isDone() is unsupported. */
  public interface MinimalQuotes {
    @Retry("vendor")
    CompletionStage<String> retried(String item);

    @Timeout(millis = 1000)
    CompletionStage<String> timed(String item);

    @CircuitBreaker("vendor")
    CompletionStage<String> guarded(String item);
  }

  static final class MinimalVendor implements MinimalQuotes {
    @Override
    public CompletionStage<String> retried(String item) {
      return CompletableFuture.completedStage("retried " + item);
    }

    @Override
    public CompletionStage<String> timed(String item) {
      return CompletableFuture.completedFuture("timed " + item).minimalCompletionStage();
    }

    @Override
    public CompletionStage<String> guarded(String item) {
      return CompletableFuture.completedStage("guarded " + item);
    }
  }

  @Test
  void aMinimalStageIsFollowedThroughItsCallbacks() throws Exception {
    // CompletableFuture.completedStage and minimalCompletionStage throw from isDone(): a guard that
    // asked would fail the call synchronously.
    MinimalQuotes quotes =
        GuardedProxies.builder()
            .add(resilience.guards())
            .build()
            .proxy(MinimalQuotes.class, new MinimalVendor());
    assertThat(quotes.retried("a").toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEqualTo("retried a");
    assertThat(quotes.timed("b").toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEqualTo("timed b");
    assertThat(quotes.guarded("c").toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEqualTo("guarded c");
  }

  @Test
  void aFutureSettledWhenReturnedPassesThroughTheTimeoutAsItIs() {
    // It cannot be late: no deadline is scheduled for it, and it is not copied into another.
    AtOnceVendor vendor = new AtOnceVendor();
    CompletableFuture<String> quote =
        GuardedProxies.builder()
            .add(resilience.guards())
            .build()
            .proxy(Quotes.class, vendor)
            .slowQuote("a");
    assertThat(quote).isCompletedWithValue("fast").isSameAs(vendor.lastSlow);
  }

  @Test
  void theBreakerCountsFailuresThatArriveThroughTheFuture() throws Exception {
    Vendor vendor = new Vendor();
    vendor.failFirst = Integer.MAX_VALUE;
    Quotes quotes = proxy(vendor);
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(() -> quotes.guarded("a").toCompletableFuture().get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IOException.class);
    }
    assertThat(resilience.circuitBreaker("vendor").getState())
        .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);
    assertThatThrownBy(() -> quotes.guarded("a").toCompletableFuture().get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(CallNotPermittedException.class);
  }

  @Test
  void theFallbackAnswersAFailedFutureAndSeesTheFailure() throws Exception {
    Vendor vendor = new Vendor();
    vendor.failFirst = Integer.MAX_VALUE;
    assertThat(proxy(vendor).withFallback("a").toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEqualTo("cached a after IOException");
    assertThat(vendor.calls).as("retried first").hasValue(3);
  }

  @Test
  void anAsynchronousCallIsRefusedAtOnceWhenTheBulkheadIsFull() throws Exception {
    Quotes quotes = proxy(new Vendor());
    CompletableFuture<String> first = quotes.oneAtATime("a").toCompletableFuture();
    assertThatThrownBy(() -> quotes.oneAtATime("b").toCompletableFuture().get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(BulkheadFullException.class);
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("done");
    assertThat(quotes.oneAtATime("c").toCompletableFuture().get(5, TimeUnit.SECONDS))
        .as("the slot is back once the first future completed")
        .isEqualTo("done");
  }

  public interface Unsupported {
    @Retry("vendor")
    Future<String> plainFuture();
  }

  /** A future type the guards cannot produce. */
  public static final class MyFuture<T> extends CompletableFuture<T> {}

  public interface Subclassed {
    @CircuitBreaker("vendor")
    MyFuture<String> custom();
  }

  @Test
  void otherAsynchronousReturnTypesAreRefusedWhenTheProxyIsBuilt() {
    assertThatThrownBy(
            () ->
                GuardedProxies.builder()
                    .add(resilience.guards())
                    .build()
                    .proxy(Unsupported.class, () -> CompletableFuture.completedFuture("x")))
        .isInstanceOf(GuardConfigurationException.class)
        .hasMessageContaining("java.util.concurrent.Future")
        .hasMessageContaining("return CompletionStage or CompletableFuture");
    assertThatThrownBy(
            () ->
                GuardedProxies.builder()
                    .add(resilience.guards())
                    .build()
                    .proxy(Subclassed.class, MyFuture::new))
        .isInstanceOf(GuardConfigurationException.class)
        .hasMessageContaining("MyFuture");
    assertThat(List.of()).isEmpty();
  }
}
