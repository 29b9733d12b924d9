package dev.brownout.examples.booking;

import java.io.IOException;

/**
 * Charging a booking, as the booking site asks for it: through the primary provider, the secondary
 * when the primary certainly did not charge, and otherwise later ({@link PayLater}). Every attempt,
 * at every provider and later, carries the booking's idempotency key ({@link Checkout}).
 */
public interface Payments {
  /** What {@link #charge} answers when the charge will be taken later. */
  String PENDING = "pending";

  /**
   * Charges a booking to the guest's card.
   *
   * @return the provider's charge id, or {@link #PENDING} when it will be charged later
   * @throws PaymentDeclinedException if the card was declined: final
   * @throws ChargeOutcomeUnknownException if a provider may have charged: settle with that provider
   * @throws PaymentUnavailableException if no provider charged and none may be asked now
   */
  String charge(long booking, String guest) throws IOException;

  /**
   * The failover chain's last resort: when no provider charged, the booking stands and the charge
   * is taken later, by {@link PendingCharges}, once a provider answers again.
   */
  final class PayLater {
    /** The booking stays pending; {@code failure} is why no provider took it. */
    public String charge(long booking, String guest, Throwable failure) {
      return PENDING;
    }
  }
}
