package dev.brownout.site.guides.spring;

import dev.brownout.degrade.CircuitBreaker;
import dev.brownout.degrade.Retry;
import dev.brownout.degrade.Timeout;
import dev.brownout.flags.FeatureFlag;
import dev.brownout.flags.FlagContext;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Service;

/** The Spring Boot guide's service: a class-based bean the starter guards. */
// tag::service[]
@Service
public class Payments {
  // end::service[]
  private final AtomicInteger calls = new AtomicInteger();

  // tag::service[]
  @Retry("payments")
  @CircuitBreaker("payments")
  @Timeout("payments")
  public String charge(String booking) {
    // end::service[]
    if (calls.incrementAndGet() == 1) {
      throw new IllegalStateException("connection reset"); // a flaky provider: retried once
    }
    // tag::service[]
    return "charged " + booking; // the payment provider's client, called here
  }

  @FeatureFlag(value = "gift-cards", fallback = NoGiftCards.class)
  public String redeem(FlagContext user, String code) {
    return "redeemed " + code;
  }
}
// end::service[]
