package dev.brownout.examples.booking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.degrade.Resilience;
import dev.brownout.state.InMemoryStateStore;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Charging through two real (local) payment providers: failover only when the primary certainly did
 * not charge, one key per booking, a declined card final, a timed-out charge settled where it may
 * have been taken.
 */
class CheckoutTest {
  final PaymentService primary = PaymentService.start("primary", 0);
  final PaymentService secondary = PaymentService.start("secondary", 0);
  final InMemoryStateStore store = InMemoryStateStore.create();
  final Resilience resilience =
      Resilience.builder(store)
          .timeout(PaymentProvider.TIMEOUT, Duration.ofSeconds(1))
          .circuitBreaker("primary", BookingApp.providerBreaker())
          .circuitBreaker("secondary", BookingApp.providerBreaker())
          .build();
  final Checkout checkout =
      new Checkout(
          resilience, List.of(provider("primary", primary), provider("secondary", secondary)));

  PaymentProvider provider(String name, PaymentService service) {
    return new PaymentProvider(
        name,
        new HttpPayments(name, URI.create(service.uri().toString())),
        GuardedProxies.builder().add(resilience.guards()).build());
  }

  @AfterEach
  void close() {
    resilience.close();
    primary.close();
    secondary.close();
  }

  @Test
  void theSecondaryChargesWhenThePrimaryAnswers5xxAndARepeatGetsTheSameCharge() {
    primary.behave(PaymentService.Behaviour.FAILING);
    Checkout.Outcome first = checkout.charge(7, "ada", null);
    assertThat(first.result()).isEqualTo(Checkout.Result.CHARGED);
    assertThat(first.payment()).startsWith("secondary-charge-");
    assertThat(checkout.charge(7, "ada", null).payment()).isEqualTo(first.payment());
    assertThat(secondary.charges()).containsOnlyKeys(7L);
    assertThat(secondary.charges().get(7L)).hasSize(1);
    assertThat(secondary.replays()).isEqualTo(1);
    assertThat(primary.attempts(7)).isEqualTo(2);
  }

  @Test
  void aDeclinedCardIsAskedOnceAndNeverOfTheSecondary() {
    primary.declineCardOf("bob", true);
    assertThat(checkout.charge(8, "bob", null).result()).isEqualTo(Checkout.Result.DECLINED);
    assertThat(primary.attempts(8)).isEqualTo(1);
    assertThat(secondary.attempts(8)).isZero();
    assertThat(primary.charges()).isEmpty();
    assertThat(resilience.circuitBreaker("primary").getMetrics().getNumberOfFailedCalls()).isZero();
  }

  @Test
  void aTimedOutChargeIsPendingWithTheProviderThatMayHoldItAndSettledThereOnce() throws Exception {
    primary.stallFor(Duration.ofSeconds(3));
    primary.behave(PaymentService.Behaviour.SLOW);
    long start = System.nanoTime();
    Checkout.Outcome timedOut = checkout.charge(9, "cy", null);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).as("one attempt, cut at the timeout").isLessThan(Duration.ofSeconds(2));
    assertThat(timedOut).isEqualTo(Checkout.Outcome.pending("primary"));
    assertThat(secondary.attempts(9)).as("not sent elsewhere: it may be charged").isZero();
    primary.behave(PaymentService.Behaviour.OK);
    Checkout.Outcome settled = checkout.charge(9, "cy", "primary");
    assertThat(settled.result()).isEqualTo(Checkout.Result.CHARGED);
    // The stalled attempt ends, and finds its key charged.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (primary.replays() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(primary.charges().get(9L)).containsExactly(settled.payment());
    assertThat(primary.replays()).isEqualTo(1);
  }

  @Test
  void aDroppedConnectionIsNotFailedOverButAnOpenPrimaryIsSkipped() {
    primary.behave(PaymentService.Behaviour.DROPPING);
    assertThat(checkout.charge(10, "di", null)).isEqualTo(Checkout.Outcome.pending("primary"));
    assertThat(secondary.attempts(10)).isZero();
    resilience.circuitBreaker("primary").transitionToOpenState();
    Checkout.Outcome skipped = checkout.charge(11, "di", null);
    assertThat(skipped.payment()).startsWith("secondary-charge-");
    assertThat(primary.attempts(11)).isZero();
  }

  @Test
  void withEveryBreakerOpenTheBookingIsPaidLater() {
    resilience.circuitBreaker("primary").transitionToOpenState();
    resilience.circuitBreaker("secondary").transitionToOpenState();
    assertThat(checkout.charge(12, "ed", null)).isEqualTo(Checkout.Outcome.pending(null));
    assertThat(primary.attempts(12) + secondary.attempts(12)).isZero();
  }
}
