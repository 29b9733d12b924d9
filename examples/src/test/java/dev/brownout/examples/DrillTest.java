package dev.brownout.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A short outage drill: every step must behave as designed. */
class DrillTest {
  @Test
  void everyStepBehavesAsDesigned() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    boolean passed =
        Drill.run(DemoOptions.parse(new String[] {"drill", "--step-seconds", "2"}), out);
    String report = bytes.toString(StandardCharsets.UTF_8);
    System.out.println(report);
    assertThat(report).contains("6 Redis down").contains("Checks:");
    assertThat(passed).as(report).isTrue();
  }
}
