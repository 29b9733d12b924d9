package dev.brownout.site.guides.spring;

import dev.brownout.degrade.ConcurrencyLimit;
import dev.brownout.degrade.Fallback;
import dev.brownout.degrade.Priority;
import org.springframework.stereotype.Service;

/** The Spring Boot guide's limited service: a vendor's quotes, which may wait. */
// tag::service[]
@Service
public class Quotes {
  @ConcurrencyLimit(value = "quotes", priority = Priority.LOW)
  @Fallback(QuoteLater.class)
  public String quote(String listing) {
    return "quote for " + listing; // the vendor's client, called here
  }

  /** What a quote answers while the vendor is at its limit (or failing, on a game day). */
  public static class QuoteLater {
    public String quote(String listing) {
      return "a quote for " + listing + " follows by email";
    }
  }
}
// end::service[]
