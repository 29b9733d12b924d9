package dev.brownout.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrownoutConfigTest {
  enum Mode {
    FAIL_CLOSED,
    NEW_SESSION
  }

  static final ConfigKey<Duration> TIMEOUT =
      ConfigKey.of(
              "brownout.test.timeout",
              ValueType.duration(Duration.ofMillis(1), Duration.ofMinutes(1)))
          .defaultValue(Duration.ofSeconds(2))
          .doc("A timeout.")
          .build();
  static final ConfigKey<Mode> MODE =
      ConfigKey.of("brownout.test.mode", ValueType.enumeration(Mode.class))
          .defaultValue(Mode.FAIL_CLOSED)
          .doc("A mode.")
          .build();
  static final ConfigKey<String> PASSWORD =
      ConfigKey.of("brownout.test.password", ValueType.string()).doc("A secret.").secret().build();

  @Test
  void getOrDefaultReadsADeclaredKeyAndFallsBackToTheDefaultOfAnUndeclaredOne() {
    BrownoutConfig config =
        BrownoutConfig.builder().declare(TIMEOUT).set(TIMEOUT, Duration.ofMillis(5)).build();
    assertThat(config.getOrDefault(TIMEOUT)).isEqualTo(Duration.ofMillis(5));
    assertThat(config.getOrDefault(MODE)).isEqualTo(Mode.FAIL_CLOSED);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> config.getOrDefault(PASSWORD))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("brownout.test.password");
  }

  @Test
  void readsEnvironmentVariablesByTheirDerivedNames() {
    BrownoutConfig config =
        BrownoutConfig.builder()
            .declare(TIMEOUT, MODE)
            .environment(
                Map.of("BROWNOUT_TEST_TIMEOUT", "250ms", "BROWNOUT_TEST_MODE", "new-session"))
            .build();

    assertThat(config.get(TIMEOUT)).isEqualTo(Duration.ofMillis(250));
    assertThat(config.get(MODE)).isEqualTo(Mode.NEW_SESSION);
    assertThat(config.origin(TIMEOUT)).isEqualTo("environment variable BROWNOUT_TEST_TIMEOUT");
  }

  @Test
  void anUnknownKeyInAFileIsAnErrorWithASuggestion(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("brownout.properties");
    Files.writeString(file, "brownout.test.timout=5s\n");

    assertThatThrownBy(() -> BrownoutConfig.builder().declare(TIMEOUT).propertiesFile(file).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("brownout.test.timout")
        .hasMessageContaining("did you mean brownout.test.timeout?")
        .hasMessageContaining("file " + file);
  }

  @Test
  void anUnknownEnvironmentVariableIsOnlyAWarning() {
    BrownoutConfig config =
        BrownoutConfig.builder()
            .declare(TIMEOUT)
            .environment(Map.of("BROWNOUT_TEST_TIMOUT", "5s"))
            .build();

    assertThat(config.get(TIMEOUT)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void secretsNeverAppearInErrorsOrDescriptions() {
    Properties props = new Properties();
    props.setProperty("brownout.test.password", "   ");
    assertThatThrownBy(
            () -> BrownoutConfig.builder().declare(PASSWORD).systemProperties(props).build())
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> assertThat(e.problems().get(0).value()).isEqualTo("****"));

    BrownoutConfig config =
        BrownoutConfig.builder()
            .declare(PASSWORD)
            .set("brownout.test.password", "hunter2hunter2")
            .build();
    assertThat(config.describe())
        .contains("brownout.test.password = ****")
        .doesNotContain("hunter2");
    assertThat(config.get(PASSWORD)).isEqualTo("hunter2hunter2");
  }

  @Test
  void anOptionalKeyWithoutAValueIsEmptyAndGetSaysToUseFind() {
    BrownoutConfig config = BrownoutConfig.builder().declare(PASSWORD).build();

    assertThat(config.find(PASSWORD)).isEmpty();
    assertThatThrownBy(() -> config.get(PASSWORD)).hasMessageContaining("find(key)");
  }

  @Test
  void undeclaredKeysCannotBeRead() {
    BrownoutConfig config = BrownoutConfig.builder().declare(TIMEOUT).build();

    assertThatThrownBy(() -> config.get(MODE))
        .hasMessageContaining("brownout.test.mode is not declared");
  }

  @Test
  void aTypedValueSetInCodeIsCheckedImmediately() {
    assertThatThrownBy(() -> BrownoutConfig.builder().set(TIMEOUT, Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("brownout.test.timeout")
        .hasMessageContaining("between 1ms and 1m");
  }

  @Test
  void keyNamesAndDefaultsAreValidatedWhenDeclared() {
    assertThatThrownBy(() -> ConfigKey.of("Brownout.Bad_Name", ValueType.bool()))
        .hasMessageContaining("'Brownout.Bad_Name'");
    assertThatThrownBy(() -> ConfigKey.of("brownout.x", ValueType.integer(1, 5)).defaultValue(9))
        .hasMessageContaining("default of brownout.x is invalid");
    assertThatThrownBy(() -> ConfigKey.of("brownout.x", ValueType.bool()).build())
        .hasMessageContaining("needs a doc");
  }

  @Test
  void twoKeysMayNotShareAnEnvironmentVariable() {
    ConfigKey<Boolean> dotted = ConfigKey.of("brownout.a.b", ValueType.bool()).doc("x").build();
    ConfigKey<Boolean> hyphen = ConfigKey.of("brownout.a-b", ValueType.bool()).doc("x").build();

    assertThatThrownBy(() -> BrownoutConfig.builder().declare(dotted, hyphen))
        .hasMessageContaining("BROWNOUT_A_B");
  }

  @Test
  void aBuilderDiscoversEveryModulesKeysByDefault() {
    BrownoutConfig config = BrownoutConfig.builder().build();

    assertThat(config.declares(CoreConfig.ADMIN_REQUIRE_REASON)).isTrue();
    assertThat(config.get(CoreConfig.ADMIN_REQUIRE_REASON)).isFalse();
    assertThat(config.get(CoreConfig.ADMIN_WRITE_TOKENS)).isEmpty();
  }

  @Test
  void aBuilderWithoutDiscoveryDeclaresOnlyWhatItIsGivenAndTheErrorNamesTheFix() {
    BrownoutConfig config = BrownoutConfig.builderWithoutDiscovery().declare(TIMEOUT).build();

    assertThat(config.declares(CoreConfig.ADMIN_REQUIRE_REASON)).isFalse();
    assertThatThrownBy(() -> config.get(CoreConfig.ADMIN_REQUIRE_REASON))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("brownout.admin.require-reason is not declared")
        .hasMessageContaining("put the jar of the module that declares it on the class path")
        .hasMessageContaining("declare(key)");
  }

  @Test
  void theReferenceListsEveryKeyWithItsVariableAndDefault() {
    String reference = ConfigReference.markdown(List.of(TIMEOUT, MODE, PASSWORD));

    assertThat(reference)
        .contains("| `brownout.test.timeout` | `BROWNOUT_TEST_TIMEOUT` |")
        .contains("`2s`")
        .contains("one of fail-closed, new-session")
        .contains("*Secret: never printed.*");
  }
}
