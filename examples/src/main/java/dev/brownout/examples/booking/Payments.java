package dev.brownout.examples.booking;

import dev.brownout.degrade.CallTimeoutException;
import dev.brownout.degrade.CircuitBreaker;
import dev.brownout.degrade.Fallback;
import dev.brownout.degrade.Retry;
import dev.brownout.degrade.Timeout;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.io.IOException;

/**
 * The payment API as the booking site calls it. When it fails, is slow, or its breaker is open, the
 * booking still goes through and the charge is taken later ({@link PayLater}).
 */
public interface Payments {
  /** Charges a booking; answers the charge id, or {@code pending} when it will be charged later. */
  @Fallback(
      value = PayLater.class,
      on = {IOException.class, CallNotPermittedException.class, CallTimeoutException.class})
  @Retry("payments")
  @CircuitBreaker("payments")
  @Timeout(millis = 800)
  String charge(long booking) throws IOException;

  /** The fallback: the charge is queued and taken when the payment API is back. */
  final class PayLater implements Payments {
    @Override
    public String charge(long booking) {
      return "pending";
    }
  }
}
