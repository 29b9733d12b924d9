package dev.brownout.site.guides;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.ConfigurationException;
import dev.brownout.core.config.ValueType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The configuration guide: a key of your own, read and checked like Brownout's. */
class ConfigurationGuideTest {
  // tag::declare[]
  static final ConfigKey<Duration> CATALOG_REFRESH =
      ConfigKey.of(
              "brownout.myapp.catalog-refresh",
              ValueType.duration(Duration.ofSeconds(1), Duration.ofHours(1)))
          .defaultValue(Duration.ofSeconds(30))
          .doc("How often the catalogue is re-read.")
          .build();

  // end::declare[]

  @Test
  void aKeyOfYourOwnIsReadAndCheckedLikeBrownouts() {
    // tag::read[]
    BrownoutConfig config =
        BrownoutConfig.builder() // every Brownout module's keys, found on the class path
            .declare(CATALOG_REFRESH)
            .standardSources()
            .set("brownout.myapp.catalog-refresh", "5s") // the layer set in code wins
            .build();
    Duration refresh = config.get(CATALOG_REFRESH);
    // end::read[]
    assertThat(refresh).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.origin(CATALOG_REFRESH)).isNotBlank();

    assertThatThrownBy(
            () ->
                BrownoutConfig.builder()
                    .declare(CATALOG_REFRESH)
                    .set("brownout.myapp.catalog-refresh", "2h")
                    .set("brownout.admn.port", "9100")
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("2 configuration problems")
        .hasMessageContaining("brownout.myapp.catalog-refresh")
        .hasMessageContaining("did you mean brownout.admin.port");
  }
}
