package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.guard.GuardConfigurationException;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.state.InMemoryStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The degrade module wired as every module is: required store, typed setters, config, guards. */
class DegradeModuleShapeTest {
  final InMemoryStateStore store = InMemoryStateStore.create();
  @TempDir Path dir;

  @AfterEach
  void close() {
    store.close();
  }

  interface Bookings {
    @WriteOperation
    String book(String listing);
  }

  interface Payments {
    @CircuitBreaker("payments")
    @Retry("payments")
    String charge(String booking);
  }

  BrownoutConfig fromFile(String properties) throws Exception {
    Path file = dir.resolve("brownout.properties");
    Files.writeString(file, properties);
    return BrownoutConfig.builder().propertiesFile(file).build();
  }

  @Test
  void buildingWithoutAStoreFailsNamingIt() {
    assertThatThrownBy(() -> ReadMode.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("ReadMode.builder(store) needs the store")
        .hasMessageContaining("InMemoryStateStore.create()");
    try (ReadMode readMode = ReadMode.builder(store).build()) {
      assertThatThrownBy(() -> WritePath.builder(readMode, null))
          .hasMessageContaining("needs a probe");
    }
  }

  @Test
  void aWriteOperationWithoutTheReadModeGuardsFailsTheProxyBuild() {
    assertThatThrownBy(() -> GuardedProxies.builder().build().proxy(Bookings.class, l -> "ok"))
        .isInstanceOf(GuardConfigurationException.class)
        .hasMessageContaining("Bookings.book(String)")
        .hasMessageContaining("@WriteOperation is not handled")
        .hasMessageContaining("readMode.guards()");
  }

  @Test
  void breakerAndRetryAnnotationsWithoutTheResilienceGuardsFailTheProxyBuild() {
    try (ReadMode readMode = ReadMode.builder(store).build()) {
      assertThatThrownBy(
              () ->
                  GuardedProxies.builder()
                      .add(readMode.guards())
                      .build()
                      .proxy(Payments.class, b -> "paid"))
          .isInstanceOf(GuardConfigurationException.class)
          .hasMessageContaining("@CircuitBreaker is not handled")
          .hasMessageContaining("@Retry is not handled")
          .hasMessageContaining("Resilience.guards()");
    }
  }

  @Test
  void theRefreshIntervalFromATypedSetterAndFromAPropertiesFileIsTheSame() throws Exception {
    BrownoutConfig config = fromFile("brownout.degrade.read-mode.refresh-interval=250ms\n");
    try (ReadMode typed = ReadMode.builder(store).refreshInterval(Duration.ofMillis(250)).build();
        ReadMode configured = ReadMode.builder(store).config(config).build()) {
      assertThat(typed.refreshInterval()).isEqualTo(configured.refreshInterval()).hasMillis(250);
    }
  }

  @Test
  void theWritePathMessageFromATypedSetterAndFromAPropertiesFileIsWhatUsersAreTold()
      throws Exception {
    BrownoutConfig config = fromFile("brownout.degrade.write-path.message=Back soon.\n");
    for (boolean typed : new boolean[] {true, false}) {
      try (InMemoryStateStore own = InMemoryStateStore.create();
          ReadMode readMode = ReadMode.builder(own).build()) {
        WritePath.Builder builder = WritePath.builder(readMode, () -> false);
        try (WritePath writePath =
            (typed ? builder.message("Back soon.") : builder.config(config)).build()) {
          writePath.recordFailure(new SQLException("read-only", "25006"));
          assertThat(readMode.reasons())
              .singleElement()
              .extracting(ReadOnlyReason::message)
              .isEqualTo("Back soon.");
        }
      }
    }
  }

  @Test
  void defaultBreakerSettingsFromATypedSetterAndFromAPropertiesFileAreTheSame() throws Exception {
    BrownoutConfig config = fromFile("brownout.degrade.breaker.failure-rate=25\n");
    try (Resilience typed =
            Resilience.builder(store).circuitBreaker("payments").breakerFailureRate(25).build();
        Resilience configured =
            Resilience.builder(store).circuitBreaker("payments").config(config).build()) {
      assertThat(
              typed.circuitBreaker("payments").getCircuitBreakerConfig().getFailureRateThreshold())
          .isEqualTo(
              configured
                  .circuitBreaker("payments")
                  .getCircuitBreakerConfig()
                  .getFailureRateThreshold())
          .isEqualTo(25f);
    }
  }

  @Test
  void anInconsistentSettingNamesEveryKeyWithItsValueAndOrigin() throws Exception {
    BrownoutConfig config = fromFile("brownout.degrade.breaker.minimum-calls=50\n");
    assertThatThrownBy(
            () ->
                Resilience.builder(store)
                    .circuitBreaker("payments")
                    .config(config)
                    .breakerWindow(20)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("brownout.degrade.breaker.minimum-calls = 50 (from file")
        .hasMessageContaining("brownout.degrade.breaker.window = 20 (from code)");
  }

  @Test
  void aReasonHasABuilderThatValidatesWhole() {
    ReadOnlyReason reason =
        ReadOnlyReason.builder("db-move", ReadOnlyReason.Kind.MAINTENANCE)
            .source("alice")
            .message("Bookings are paused while we move databases")
            .eta(Instant.now().plus(Duration.ofDays(1)))
            .build();
    assertThat(reason.since()).isNotNull();
    assertThatThrownBy(
            () -> ReadOnlyReason.builder("auto:x", ReadOnlyReason.Kind.AUTOMATIC).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("source is required")
        .hasMessageContaining("message is required")
        .hasMessageContaining("needs a lease");
  }
}
