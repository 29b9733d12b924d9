package dev.brownout.examples.drill;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The outage drill, short (one second a step, each step running on until it has shown what it
 * must): every step must behave as designed, and every booking be charged exactly once.
 */
class DrillTest {
  @Test
  void everyStepBehavesAsDesignedAndTheMoneyAddsUp() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    boolean passed = Drill.run(1, out);
    String report = bytes.toString(StandardCharsets.UTF_8);
    System.out.println(report);
    assertThat(report)
        .contains("3 payment API slow")
        .contains("6 card declined")
        .contains("7 payments game day")
        .contains("9 Redis down")
        .contains("charged exactly once");
    assertThat(passed).as(report).isTrue();
  }
}
