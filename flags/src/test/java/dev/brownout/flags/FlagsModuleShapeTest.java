package dev.brownout.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.guard.GuardConfigurationException;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.state.ForwardingStateStore;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.Namespace;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flags module wired as every module is: required store, typed setters, config, guards. */
class FlagsModuleShapeTest {
  final InMemoryStateStore memory = InMemoryStateStore.create();
  @TempDir Path dir;

  @AfterEach
  void close() {
    memory.close();
  }

  /** A store that is down: every read fails. */
  static final class DownStore extends ForwardingStateStore {
    DownStore(InMemoryStateStore store) {
      super(store);
    }

    @Override
    public List<StateRecord> list(Namespace namespace) {
      throw new StateUnavailableException("the store is down (test)", null);
    }
  }

  interface Checkout {
    @FeatureFlag("one-page-checkout")
    String checkout(FlagContext user);
  }

  interface Scheduler {
    @FeatureFlag("nightly-report")
    String run();
  }

  @Test
  void buildingWithoutAStoreFailsNamingIt() {
    assertThatThrownBy(() -> Flags.builder(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("Flags.builder(store) needs the store")
        .hasMessageContaining("InMemoryStateStore.create()");
    assertThatThrownBy(() -> Rollouts.builder(null))
        .hasMessageContaining("Rollouts.builder(flags) needs the Flags");
  }

  @Test
  void aFeatureFlagWithoutTheFlagsGuardsFailsTheProxyBuild() {
    assertThatThrownBy(
            () -> GuardedProxies.builder().build().proxy(Checkout.class, user -> "checked out"))
        .isInstanceOf(GuardConfigurationException.class)
        .hasMessageContaining("Checkout.checkout(FlagContext)")
        .hasMessageContaining("@FeatureFlag is not handled")
        .hasMessageContaining("flags.guards()");
  }

  @Test
  void aFeatureFlagWithNoWayToFindItsUnitFailsTheProxyBuildUnlessASupplierIsGiven() {
    try (Flags flags = Flags.builder(memory).build()) {
      flags.admin().create(FlagDefinition.on("nightly-report"));
      assertThatThrownBy(
              () ->
                  GuardedProxies.builder()
                      .add(flags.guards())
                      .build()
                      .proxy(Scheduler.class, () -> "ran"))
          .isInstanceOf(GuardConfigurationException.class)
          .hasMessageContaining("Scheduler.run()")
          .hasMessageContaining("no way to find whose flag to evaluate")
          .hasMessageContaining("flags.guards(() ->");

      Scheduler scheduler =
          GuardedProxies.builder()
              .add(flags.guards(() -> FlagContext.of("scheduler")))
              .build()
              .proxy(Scheduler.class, () -> "ran");
      assertThat(scheduler.run()).isEqualTo("ran");
    }
  }

  @Test
  void theBootstrapFileFromATypedSetterAndFromAPropertiesFileGiveTheSameFlags() throws Exception {
    Path bootstrap = dir.resolve("flags.json");
    Files.writeString(
        bootstrap,
        FlagDefinition.toJson(
            List.of(
                FlagDefinition.on("search"), FlagDefinition.on("checkout").withEnabled(false))));
    Path properties = dir.resolve("brownout.properties");
    Files.writeString(
        properties,
        "brownout.flags.bootstrap-file=" + bootstrap.toString().replace("\\", "\\\\") + "\n");
    BrownoutConfig config = BrownoutConfig.builder().propertiesFile(properties).build();

    try (Flags typed = Flags.builder(new DownStore(memory)).bootstrap(bootstrap).build();
        Flags configured = Flags.builder(new DownStore(memory)).config(config).build()) {
      for (Flags flags : List.of(typed, configured)) {
        assertThat(flags.isEnabled("search", FlagContext.of("a"))).isTrue();
        assertThat(flags.isEnabled("checkout", FlagContext.of("a"), true)).isFalse();
      }
    }
  }

  @Test
  void theRolloutTickIntervalFromATypedSetterAndFromConfigIsTheSame() {
    BrownoutConfig config =
        BrownoutConfig.builder().set("brownout.flags.rollouts.tick-interval", "250ms").build();
    try (Flags flags = Flags.builder(memory).build();
        Rollouts typed =
            Rollouts.builder(flags).tickInterval(Duration.ofMillis(250)).manualTicks().build();
        Rollouts configured = Rollouts.builder(flags).config(config).manualTicks().build()) {
      assertThat(typed.tickInterval()).isEqualTo(configured.tickInterval()).hasMillis(250);
    }
    assertThatThrownBy(
            () -> Rollouts.builder(Flags.builder(memory).build()).tickInterval(Duration.ZERO))
        .hasMessageContaining("brownout.flags.rollouts.tick-interval");
  }

  @Test
  void aDefinitionReadsAndWritesItsDocumentedJsonAndIsValidatedWhole() {
    FlagDefinition built =
        FlagDefinition.builder("new-checkout")
            .description("The one-page checkout")
            .target("on", "alice", "bob")
            .rule(
                "beta",
                FlagDefinition.Serve.variant("on"),
                new FlagDefinition.Condition("plan", "in", List.of("beta")))
            .rollout(30)
            .build();
    String json = built.toJson();
    assertThat(json).contains("\"key\":\"new-checkout\"").contains("\"percentage\":30.0");
    assertThat(FlagDefinition.fromJson(json)).isEqualTo(built);
    assertThat(
            FlagDefinition.listFromJson(
                FlagDefinition.toJson(List.of(built, FlagDefinition.on("x")))))
        .hasSize(2);

    assertThatThrownBy(() -> FlagDefinition.fromJson("{\"key\":\"k\",\"colour\":\"red\"}"))
        .isInstanceOf(InvalidFlagException.class)
        .hasMessageContaining("unknown field 'colour'");
    assertThatThrownBy(() -> FlagDefinition.fromJson("null"))
        .isInstanceOf(InvalidFlagException.class);
    assertThatThrownBy(() -> FlagDefinition.builder("k").rollout(140).build())
        .isInstanceOf(InvalidFlagException.class)
        .hasMessageContaining("140");
    assertThatThrownBy(() -> FlagDefinition.listFromJson("[{\"key\":\"a\"},{\"key\":\"a\"}]"))
        .hasMessageContaining("twice");
  }
}
