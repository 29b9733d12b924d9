package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.guard.GuardConfigurationException;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.InMemoryStateStore;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Vendors fail over: primary, secondary, last resort, each behind its own breaker; a business
 * refusal is final; every provider sees the same idempotency key; a fallback is an instance that
 * may see the failure; programming errors reach the caller.
 */
class FailoverTest {
  final InMemoryStateStore store = InMemoryStateStore.create();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** A card the provider refused: the customer's problem, not the provider's. */
  static final class DeclinedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DeclinedException(String message) {
      super(message);
    }
  }

  public interface Payments {
    String charge(String booking);

    CompletionStage<String> chargeAsync(String booking);
  }

  /** A provider that records the idempotency key of every call. */
  static class Provider implements Payments {
    final String name;
    final List<String> keys = new CopyOnWriteArrayList<>();
    volatile RuntimeException failure;

    Provider(String name) {
      this.name = name;
    }

    @Override
    public String charge(String booking) {
      keys.add(IdempotencyKey.current().orElse("none"));
      if (failure != null) {
        throw failure;
      }
      return name + " charged " + booking;
    }

    @Override
    public CompletionStage<String> chargeAsync(String booking) {
      keys.add(IdempotencyKey.current().orElse("none"));
      return failure != null
          ? CompletableFuture.failedFuture(failure)
          : CompletableFuture.completedFuture(name + " charged " + booking);
    }
  }

  /** Takes the charge for later; sees why. */
  public static final class PayLater {
    final List<String> queued = new CopyOnWriteArrayList<>();

    public String charge(String booking, Throwable failure) {
      queued.add(booking);
      return "queued " + booking + " (" + failure.getClass().getSimpleName() + ")";
    }

    public CompletionStage<String> chargeAsync(String booking) {
      return CompletableFuture.completedFuture("queued " + booking);
    }
  }

  final Provider stripe = new Provider("stripe");
  final Provider adyen = new Provider("adyen");
  final PayLater later = new PayLater();
  final Resilience resilience =
      Resilience.builder(store)
          .circuitBreaker(
              "stripe",
              CircuitBreakerConfig.custom()
                  .slidingWindowSize(4)
                  .minimumNumberOfCalls(4)
                  .waitDurationInOpenState(Duration.ofMinutes(1))
                  .build())
          .retryBudgetRatio(0.2)
          .retryBudgetMinPerSecond(10)
          .metrics(BrownoutMetrics.of(registry))
          .build();
  final Payments payments =
      resilience
          .failover("payments", Payments.class)
          .provider("stripe", stripe)
          .provider("adyen", adyen)
          .lastResort(later)
          .build();

  @AfterEach
  void close() {
    resilience.close();
    store.close();
  }

  @Test
  void theSecondaryAnswersWhenThePrimaryFailsWithTheSameIdempotencyKey() {
    stripe.failure = new UncheckedIOException(new IOException("stripe reset the connection"));
    assertThat(payments.charge("b1")).isEqualTo("adyen charged b1");
    assertThat(stripe.keys).hasSize(1);
    assertThat(adyen.keys).isEqualTo(stripe.keys).doesNotContain("none");
    assertThat(registry.get("brownout.degrade.failovers").tag("from", "stripe").counter().count())
        .isEqualTo(1);
  }

  @Test
  void aDeclinedCardIsNotAskedOfTheNextProvider() {
    stripe.failure = new DeclinedException("card declined");
    assertThatThrownBy(() -> payments.charge("b2")).isInstanceOf(DeclinedException.class);
    assertThat(adyen.keys).isEmpty();
    assertThat(later.queued).isEmpty();
  }

  @Test
  void whenEveryProviderFailsTheLastResortAnswersAndSeesWhy() {
    stripe.failure = new UncheckedIOException(new IOException("down"));
    adyen.failure = new CallRejectedException("adyen refused (test)");
    assertThat(payments.charge("b3")).isEqualTo("queued b3 (CallRejectedException)");
  }

  @Test
  void anOpenPrimaryIsSkippedAtOnceAndCostsNoBudget() throws Exception {
    stripe.failure = new UncheckedIOException(new IOException("down"));
    for (int i = 0; i < 4; i++) {
      payments.charge("warm-" + i);
    }
    assertThat(resilience.circuitBreaker("stripe").getState())
        .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);
    int stripeCalls = stripe.keys.size();
    for (int i = 0; i < 50; i++) {
      assertThat(payments.charge("b" + i)).isEqualTo("adyen charged b" + i);
    }
    assertThat(stripe.keys).as("not asked while its breaker is open").hasSize(stripeCalls);
    assertThat(payments.chargeAsync("a").toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEqualTo("adyen charged a");
  }

  @Test
  void failoversAfterRealFailuresAreLimitedByTheBudget() {
    // A primary that fails one call in three: too few to open its breaker (50%), so every failure
    // is a real call that a failover would double. The budget keeps failovers near 20% of calls.
    Provider flaky =
        new Provider("flaky") {
          int n;

          @Override
          public synchronized String charge(String booking) {
            if (n++ % 3 == 0) {
              throw new UncheckedIOException(new IOException("flaky"));
            }
            return "flaky charged";
          }
        };
    try (Resilience strict =
        Resilience.builder(store)
            .retryBudgetRatio(0.2)
            .retryBudgetMinPerSecond(0)
            .metrics(BrownoutMetrics.of(registry))
            .build()) {
      Payments chain =
          strict
              .failover("flaky-chain", Payments.class)
              .provider("flaky", flaky)
              .provider("adyen", adyen)
              .build();
      int failed = 0;
      for (int i = 0; i < 1000; i++) {
        try {
          chain.charge("b" + i);
        } catch (UncheckedIOException e) {
          failed++;
        }
      }
      int failovers = adyen.keys.size();
      System.out.printf(
          "1000 calls, 334 primary failures: %d failed over, %d refused by the budget%n",
          failovers, failed);
      assertThat(strict.circuitBreaker("flaky").getState())
          .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.CLOSED);
      assertThat(failovers + failed).isEqualTo(334);
      assertThat(failovers).as("about 20% of 1000 calls").isBetween(150, 210);
      assertThat(
              registry
                  .get("brownout.degrade.retry.budget.exhausted")
                  .tag("name", "flaky-chain")
                  .counter()
                  .count())
          .isEqualTo(failed);
    }
  }

  @Test
  void aLastResortWithoutTheMethodIsAnErrorWhenTheChainIsBuilt() {
    assertThatThrownBy(
            () ->
                resilience
                    .failover("broken", Payments.class)
                    .provider("stripe", stripe)
                    .lastResort(new Object())
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no public method charge");
  }

  public interface Quotes {
    @Fallback
    @dev.brownout.degrade.Retry("quotes")
    String quote(String item);
  }

  /** A fallback with a dependency of its own. */
  public static final class LastGoodQuotes {
    final java.util.Map<String, String> cache;

    LastGoodQuotes(java.util.Map<String, String> cache) {
      this.cache = cache;
    }

    public String quote(String item) {
      return cache.getOrDefault(item, "unknown");
    }
  }

  @Test
  void aFallbackIsAnInstanceAndProgrammingErrorsReachTheCaller() {
    try (Resilience withFallback =
        Resilience.builder(store)
            .retry("quotes", RetryConfig.custom().maxAttempts(2).build())
            .fallback(Quotes.class, new LastGoodQuotes(java.util.Map.of("tea", "3.20")))
            .build()) {
      Quotes down =
          GuardedProxies.builder()
              .add(withFallback.guards())
              .build()
              .proxy(
                  Quotes.class,
                  item -> {
                    throw new UncheckedIOException(new IOException("quote service down"));
                  });
      assertThat(down.quote("tea")).isEqualTo("3.20");

      Quotes buggy =
          GuardedProxies.builder()
              .add(withFallback.guards())
              .build()
              .proxy(
                  Quotes.class,
                  item -> {
                    throw new IllegalArgumentException("bug: item " + item + " has no price list");
                  });
      assertThatThrownBy(() -> buggy.quote("tea"))
          .as("a bug is not hidden behind the fallback")
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aFallbackThatIsNotRegisteredIsAnErrorWhenTheProxyIsBuilt() {
    try (Resilience bare =
        Resilience.builder(store).retry("quotes", RetryConfig.ofDefaults()).build()) {
      assertThatThrownBy(
              () ->
                  GuardedProxies.builder().add(bare.guards()).build().proxy(Quotes.class, i -> "x"))
          .isInstanceOf(GuardConfigurationException.class)
          .hasMessageContaining("no fallback is registered for")
          .hasMessageContaining(".fallback(Quotes.class, instance)");
    }
  }
}
