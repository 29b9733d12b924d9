package dev.brownout.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A builder's settings: typed setters and a bulk config, checked by the same declarations. */
class SettingsTest {
  static final ConfigKey<Duration> REFRESH =
      ConfigKey.of(
              "brownout.test.refresh",
              ValueType.duration(Duration.ofMillis(10), Duration.ofHours(1)))
          .defaultValue(Duration.ofSeconds(30))
          .doc("How often.")
          .build();
  static final ConfigKey<String> NAME =
      ConfigKey.of("brownout.test.name", ValueType.string()).doc("A name.").build();

  @TempDir Path dir;

  @Test
  void aTypedSetterAndTheSameKeyInAPropertiesFileGiveTheSameValue() throws Exception {
    Path file = dir.resolve("brownout.properties");
    Files.writeString(file, "brownout.test.refresh=5s\n");
    BrownoutConfig config =
        BrownoutConfig.builderWithoutDiscovery()
            .declare(REFRESH, NAME)
            .propertiesFile(file)
            .build();

    Settings fromFile = Settings.of(List.of(REFRESH, NAME)).config(config);
    Settings fromCode = Settings.of(List.of(REFRESH, NAME)).set(REFRESH, Duration.ofSeconds(5));

    assertThat(fromFile.get(REFRESH)).isEqualTo(fromCode.get(REFRESH)).hasSeconds(5);
    assertThat(fromFile.origin(REFRESH)).startsWith("file ");
    assertThat(fromCode.origin(REFRESH)).isEqualTo("code");
  }

  @Test
  void aTypedSetterWinsOverTheConfigWhateverTheOrder() {
    BrownoutConfig config =
        BrownoutConfig.builderWithoutDiscovery()
            .declare(REFRESH)
            .set(REFRESH, Duration.ofSeconds(7))
            .build();
    Settings settings =
        Settings.of(List.of(REFRESH)).set(REFRESH, Duration.ofSeconds(2)).config(config);

    assertThat(settings.get(REFRESH)).hasSeconds(2);
  }

  @Test
  void aKeyTheConfigDoesNotDeclareKeepsItsDefault() {
    BrownoutConfig config = BrownoutConfig.builderWithoutDiscovery().build();
    Settings settings = Settings.of(List.of(REFRESH, NAME)).config(config);

    assertThat(settings.get(REFRESH)).hasSeconds(30);
    assertThat(settings.origin(REFRESH)).isEqualTo("default");
    assertThat(settings.find(NAME)).isEmpty();
  }

  @Test
  void aValueOutOfRangeIsRefusedNamingKeyValueAndExpectation() {
    Settings settings = Settings.of(List.of(REFRESH));

    assertThatThrownBy(() -> settings.set(REFRESH, Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("brownout.test.refresh")
        .hasMessageContaining("1ms")
        .hasMessageContaining("expected");
    assertThat(settings.get(REFRESH)).as("nothing changed").hasSeconds(30);
  }

  @Test
  void aKeyThatIsNotTheBuildersIsRefused() {
    assertThatThrownBy(() -> Settings.of(List.of(REFRESH)).set(NAME, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("brownout.test.name is not a setting of this builder")
        .hasMessageContaining("brownout.test.refresh");
  }

  @Test
  void describeNamesKeyValueAndOrigin() {
    Settings settings = Settings.of(List.of(REFRESH)).set(REFRESH, Duration.ofSeconds(3));

    assertThat(settings.describe(REFRESH)).isEqualTo("brownout.test.refresh = 3s (from code)");
  }
}
