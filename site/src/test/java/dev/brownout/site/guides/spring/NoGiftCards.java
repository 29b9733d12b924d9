package dev.brownout.site.guides.spring;

import dev.brownout.flags.FlagContext;

// tag::fallback[]
/** What redeem does while gift-cards is off: a subclass, with a no-argument constructor. */
public class NoGiftCards extends Payments {
  @Override
  public String redeem(FlagContext user, String code) {
    return "gift cards are coming soon";
  }
}
// end::fallback[]
