package dev.brownout.examples.booking;

/**
 * The provider refused the charge itself (the card was declined): the customer's problem, not the
 * provider's. It is not retried, not sent to another provider and not charged later, and it does
 * not count against the provider's breaker.
 */
public final class PaymentDeclinedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The provider declined the charge of {@code booking}. */
  public PaymentDeclinedException(String provider, long booking) {
    super(provider + " declined the card for booking " + booking);
  }
}
