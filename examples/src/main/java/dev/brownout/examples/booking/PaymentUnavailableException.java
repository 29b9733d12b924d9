package dev.brownout.examples.booking;

import java.io.IOException;

/**
 * The provider certainly did not take the charge: it refused the connection, or answered {@code
 * 5xx}, which this API documents as "nothing was charged". The failover chain may ask the next
 * provider.
 */
public final class PaymentUnavailableException extends IOException {
  private static final long serialVersionUID = 1L;

  /** {@code provider} did not take the charge, for this reason. */
  public PaymentUnavailableException(String provider, String why, Throwable cause) {
    super(provider + " is unavailable (nothing charged): " + why, cause);
  }

  /** {@code provider} did not take the charge, for this reason. */
  public PaymentUnavailableException(String provider, String why) {
    super(provider + " is unavailable (nothing charged): " + why);
  }
}
