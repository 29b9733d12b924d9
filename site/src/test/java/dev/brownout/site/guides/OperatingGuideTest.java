package dev.brownout.site.guides;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.degrade.ReadMode;
import dev.brownout.flags.Flags;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.StateStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The operating guide: meters on the application's registry, and the start-up line. */
class OperatingGuideTest {
  @Test
  void metersGoToTheApplicationsRegistryAndTheConfigurationIsLoggedMasked() {
    try (StateStore store = InMemoryStateStore.create()) {
      // tag::metrics[]
      MeterRegistry registry = new SimpleMeterRegistry(); // your Prometheus, Datadog… registry
      BrownoutConfig config = BrownoutConfig.load();
      BrownoutMetrics metrics = BrownoutMetrics.of(registry, config); // bounds every tag's values
      Flags flags = Flags.builder(store).config(config).metrics(metrics).build();
      ReadMode readMode = ReadMode.builder(store).config(config).metrics(metrics).build();

      String startupLine = config.describe(); // every key, its value and origin; secrets masked
      // end::metrics[]
      try (flags;
          readMode) {
        assertThat(startupLine)
            .contains("brownout.admin.port")
            .doesNotContain(GettingStartedTest.WRITE_TOKEN);
        assertThat(registry.find("brownout.feature_flag.snapshot.staleness").gauge()).isNotNull();
        assertThat(registry.find("brownout.read_mode.browse_only").gauge()).isNotNull();
      }
    }
  }
}
