package dev.brownout.site.guides;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.flags.FlagContext;
import dev.brownout.flags.Flags;
import dev.brownout.flags.junit.BrownoutFlagsExtension;
import dev.brownout.flags.junit.FlagOff;
import dev.brownout.flags.junit.FlagOn;
import dev.brownout.flags.junit.FlagValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The feature flags guide's test example: class and method annotations, and a string flag. */
// tag::extension[]
@ExtendWith(BrownoutFlagsExtension.class)
@FlagOn("new-checkout")
class ThemeFlagsTest {
  @Test
  @FlagOff("new-checkout")
  @FlagValue(flag = "theme", value = "dark")
  void theOldCheckoutInTheDarkTheme(Flags flags) {
    FlagContext ada = FlagContext.of("ada");
    assertThat(flags.isEnabled("new-checkout", ada)).isFalse(); // the method's annotation wins
    assertThat(flags.stringValue("theme", ada, "light")).isEqualTo("dark");
  }

  @Test
  void theNewCheckout(Flags flags) {
    assertThat(flags.isEnabled("new-checkout", FlagContext.of("ada"))).isTrue();
    assertThat(flags.stringValue("theme", FlagContext.of("ada"), "light")).isEqualTo("light");
  }
}
// end::extension[]
