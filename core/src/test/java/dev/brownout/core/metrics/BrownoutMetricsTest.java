package dev.brownout.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class BrownoutMetricsTest {
  static final MeterSpec EVALUATIONS =
      MeterSpec.counter("brownout.test.evaluations", "Evaluations.", "flag", "outcome");

  @Test
  void tagValuesBeyondTheLimitAreFoldedIntoOther() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    BrownoutMetrics metrics = BrownoutMetrics.of(registry, 3);

    for (int i = 0; i < 10; i++) {
      metrics.counter(EVALUATIONS, "flag-" + i, "hit").increment();
    }

    assertThat(registry.find("brownout.test.evaluations").counters()).hasSize(4);
    assertThat(registry.get("brownout.test.evaluations").tag("flag", "other").counter().count())
        .isEqualTo(7);
    assertThat(registry.get("brownout.test.evaluations").tag("flag", "flag-0").counter().count())
        .isEqualTo(1);
  }

  @Test
  void aKnownValueKeepsItsOwnSeriesAfterTheLimit() {
    BrownoutMetrics metrics = BrownoutMetrics.of(new SimpleMeterRegistry(), 1);
    metrics.counter(EVALUATIONS, "a", "hit").increment();
    metrics.counter(EVALUATIONS, "b", "hit").increment();
    metrics.counter(EVALUATIONS, "a", "hit").increment();

    assertThat(
            metrics.registry().get("brownout.test.evaluations").tag("flag", "a").counter().count())
        .isEqualTo(2);
  }

  @Test
  void theWrongNumberOfTagValuesOrKindIsAnError() {
    BrownoutMetrics metrics = BrownoutMetrics.inMemory();

    assertThatThrownBy(() -> metrics.counter(EVALUATIONS, "only-one"))
        .hasMessageContaining("takes 2 tag values [flag, outcome] but was given 1");
    assertThatThrownBy(() -> metrics.timer(EVALUATIONS, "a", "b"))
        .hasMessageContaining("declared as a COUNTER");
  }

  @Test
  void meterNamesMustBeUnderBrownout() {
    assertThatThrownBy(() -> MeterSpec.counter("flags.evaluations", "x"))
        .hasMessageContaining("'flags.evaluations'");
  }

  @Test
  void theReferenceListsEachMeter() {
    assertThat(MetricsReference.markdown(java.util.List.of(EVALUATIONS)))
        .contains("| `brownout.test.evaluations` | counter |  | flag, outcome | Evaluations. |");
  }
}
