package dev.brownout.examples.booking;

import java.io.IOException;

/**
 * The provider may or may not have taken the charge: it did not answer in time, or the connection
 * dropped after the request was sent. Asking another provider now could charge the card twice, so
 * the failover chain does not; the booking is paid later, by this same provider and with the same
 * idempotency key, which answers with the charge it took if it took one.
 */
public final class ChargeOutcomeUnknownException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String provider;

  /** {@code provider} may have charged; {@code why} says what happened. */
  public ChargeOutcomeUnknownException(String provider, String why, Throwable cause) {
    super(provider + " may have charged (" + why + "): settled later with " + provider, cause);
    this.provider = provider;
  }

  /** The provider that may hold the charge. */
  public String provider() {
    return provider;
  }
}
