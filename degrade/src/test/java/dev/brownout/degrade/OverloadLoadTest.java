package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The inbound limiter under a fixed arrival rate above capacity, on loopback ({@link
 * OverloadLoad}). The figures are printed and written to {@code target/overload-load*.json}; only
 * shapes are asserted, never timings: every request is answered, low priority is shed before high,
 * and the unprotected server sheds nothing. The long run is {@code ./mvnw verify -Psoak}.
 */
class OverloadLoadTest {
  static void assertShapes(List<OverloadLoad.Result> all) {
    OverloadLoad.Result unprotected = OverloadLoad.find(all, "overload, unprotected");
    OverloadLoad.Result limited = OverloadLoad.find(all, "overload, limiter");
    for (OverloadLoad.Result result : all) {
      for (OverloadLoad.Outcome o : result.outcomes().values()) {
        assertThat(o.acceptedNanos.size() + o.shed.get() + o.failed.get() + o.gaveUp.get())
            .as("every request of %s is answered or given up", result.name())
            .isEqualTo(o.sent.get());
      }
    }
    assertThat(unprotected.outcomes().values()).allSatisfy(o -> assertThat(o.shed.get()).isZero());
    assertThat(limited.shedShare(Priority.LOW))
        .as("extras are shed before checkout")
        .isGreaterThanOrEqualTo(limited.shedShare(Priority.HIGH));
    assertThat(limited.shedShare(Priority.LOW)).isPositive();
  }

  @Test
  void aShortRunShedsLowPriorityFirst() throws Exception {
    assertShapes(OverloadLoad.compare(1.5, 2, Path.of("target", "overload-load.json")));
  }

  @Test
  @EnabledIfSystemProperty(named = "brownout.soak", matches = "true")
  void aLongRunShedsLowPriorityFirst() throws Exception {
    assertShapes(OverloadLoad.compare(1.5, 20, Path.of("target", "overload-load-soak.json")));
  }
}
