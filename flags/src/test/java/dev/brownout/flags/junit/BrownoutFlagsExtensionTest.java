package dev.brownout.flags.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(BrownoutFlagsExtension.class)
@FlagOn("new-checkout")
@FlagOn("search")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrownoutFlagsExtensionTest {
  final FlagContext anyone = FlagContext.of("anyone");

  @Test
  @Order(1)
  void classAnnotationsApplyToEveryTest(Flags flags) {
    assertThat(flags.isEnabled("new-checkout", anyone)).isTrue();
    assertThat(flags.isEnabled("search", anyone)).isTrue();
    flags.admin().create(FlagDefinition.on("made-in-a-test"));
  }

  @Test
  @Order(2)
  @FlagOff("new-checkout")
  @FlagValue(flag = "theme", value = "dark")
  void aMethodAnnotationWinsAndNothingLeaksBetweenTests(Flags flags) {
    assertThat(flags.isEnabled("new-checkout", anyone)).isFalse();
    assertThat(flags.isEnabled("search", anyone)).isTrue();
    assertThat(flags.stringValue("theme", anyone, "light")).isEqualTo("dark");
    assertThat(flags.snapshot().keys()).doesNotContain("made-in-a-test");
  }
}
