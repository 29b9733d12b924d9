package dev.brownout.examples.booking;

import dev.brownout.degrade.CallRejectedException;
import dev.brownout.degrade.Failover;
import dev.brownout.degrade.IdempotencyKey;
import dev.brownout.degrade.Resilience;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Charges bookings exactly once across the payment providers.
 *
 * <ul>
 *   <li>A new charge goes through the failover chain {@code payments}: the primary, then the
 *       secondary, each behind its own breaker, then "pay later". It moves on only when the
 *       provider certainly did not charge ({@link PaymentUnavailableException}, an open breaker, a
 *       refused call), never after a declined card or a charge whose outcome is unknown.
 *   <li>Every attempt of a booking's charge, at any provider, on any server, now or later, carries
 *       the same idempotency key ({@link #key}), so a provider that took it answers with that
 *       charge.
 *   <li>A charge whose outcome is unknown is settled later with the provider that may hold it,
 *       alone (behind the same breaker), never with another.
 * </ul>
 */
final class Checkout {
  /** The failover chain's name. */
  static final String CHAIN = "payments";

  /** What charging came to. */
  enum Result {
    /** A provider took the charge. */
    CHARGED,
    /** No provider took it now; it is taken later, by {@link #provider()} if one is named. */
    PENDING,
    /** The card was declined: the booking is refused. */
    DECLINED
  }

  /**
   * What charging a booking came to.
   *
   * @param result charged, pending or declined
   * @param payment the charge id, {@code pending} or {@code declined}
   * @param provider the provider that may hold the charge, when pending with one
   */
  record Outcome(Result result, String payment, @Nullable String provider) {
    static Outcome pending(@Nullable String provider) {
      return new Outcome(Result.PENDING, Payments.PENDING, provider);
    }
  }

  private static final List<Class<? extends Throwable>> CERTAINLY_NOT_CHARGED =
      List.of(
          PaymentUnavailableException.class,
          CallNotPermittedException.class,
          CallRejectedException.class);

  private final Payments chain;
  private final Map<String, Payments> alone = new LinkedHashMap<>();

  /** The chain over {@code providers}, primary first, in {@code resilience}. */
  Checkout(Resilience resilience, List<PaymentProvider> providers) {
    Failover.Builder<Payments> builder =
        resilience.failover(CHAIN, Payments.class).failoverOn(CERTAINLY_NOT_CHARGED);
    for (PaymentProvider provider : providers) {
      builder.provider(provider.name(), provider);
      // One provider alone, behind the breaker of its name (the chain's): for settling.
      alone.put(
          provider.name(),
          resilience
              .failover(CHAIN + "-" + provider.name(), Payments.class)
              .provider(provider.name(), provider)
              .failoverOn(CERTAINLY_NOT_CHARGED)
              .build());
    }
    this.chain = builder.lastResort(new Payments.PayLater()).build();
  }

  /** The idempotency key of a booking's charge: the same for every attempt, provider and server. */
  static String key(long booking) {
    return "stays-booking-" + booking;
  }

  /** The chain's providers, primary first. */
  List<String> providers() {
    return List.copyOf(alone.keySet());
  }

  /**
   * Charges {@code booking}: through the chain, or, when {@code provider} may hold its charge
   * already, with that provider alone.
   */
  Outcome charge(long booking, String guest, @Nullable String provider) {
    Payments route = provider == null ? chain : alone.get(provider);
    if (route == null) {
      // A provider no longer configured may hold it: leave it for an operator, never re-route.
      return Outcome.pending(provider);
    }
    try {
      String payment = IdempotencyKey.with(key(booking), () -> route.charge(booking, guest));
      return payment.equals(Payments.PENDING)
          ? Outcome.pending(null)
          : new Outcome(Result.CHARGED, payment, null);
    } catch (PaymentDeclinedException e) {
      return new Outcome(Result.DECLINED, "declined", null);
    } catch (ChargeOutcomeUnknownException e) {
      return Outcome.pending(e.provider());
    } catch (IOException | CallNotPermittedException | CallRejectedException e) {
      // Nobody took it (or, settling, the provider that may hold it is still away).
      return Outcome.pending(provider);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("charging booking " + booking + " failed: " + e, e);
    }
  }
}
