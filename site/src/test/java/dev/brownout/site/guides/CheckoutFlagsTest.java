package dev.brownout.site.guides;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.flags.junit.BrownoutFlagsExtension;
import dev.brownout.flags.junit.FlagOff;
import dev.brownout.flags.junit.FlagOn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The testing guide's first example: flags in a unit test, with the JUnit 5 extension. */
// tag::extension[]
@ExtendWith(BrownoutFlagsExtension.class)
@FlagOn("new-checkout")
class CheckoutFlagsTest {
  @Test
  void theNewCheckoutShowsWhenItsFlagIsOn(Flags flags) {
    assertThat(new Checkout(flags).page("ada")).isEqualTo("new checkout");
  }

  @Test
  @FlagOff("new-checkout")
  void theOldCheckoutStillWorks(Flags flags) {
    assertThat(new Checkout(flags).page("ada")).isEqualTo("old checkout");
  }

  @Test
  void aTestCanChangeFlagsAsItGoes(Flags flags) {
    flags.admin().create(FlagDefinition.rollout("gift-cards", 0));
    assertThat(flags.isEnabled("gift-cards", FlagContext.of("ada"))).isFalse();
  }

  // end::extension[]

  @Test
  void nothingLeaksFromTheTestBefore(Flags flags) {
    assertThat(flags.admin().get("gift-cards")).isEmpty();
  }

  // tag::extension[]
}

// end::extension[]

/** The application code under test. */
final class Checkout {
  private final Flags flags;

  Checkout(Flags flags) {
    this.flags = flags;
  }

  String page(String user) {
    return flags.isEnabled("new-checkout", FlagContext.of(user)) ? "new checkout" : "old checkout";
  }
}
