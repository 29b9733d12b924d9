package dev.brownout.site.guides;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.degrade.Resilience;
import dev.brownout.flags.BreakerStates;
import dev.brownout.flags.FeatureFlag;
import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.flags.GuardDefinition;
import dev.brownout.flags.RolloutPlan;
import dev.brownout.flags.Rollouts;
import dev.brownout.flags.openfeature.BrownoutFeatureProvider;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.StateStore;
import dev.brownout.state.testservers.Await;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.OpenFeatureAPI;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The feature flags guide: evaluating, staged rollouts, {@code @FeatureFlag} and OpenFeature. */
class FlagsGuideTest {
  // tag::feature-flag[]
  public interface Recommendations {
    @FeatureFlag(value = "personalised", fallback = Bestsellers.class)
    List<String> forUser(FlagContext user);
  }

  /** What runs while the flag is off: a class of the same interface, made once by the proxy. */
  public static final class Bestsellers implements Recommendations {
    @Override
    public List<String> forUser(FlagContext user) {
      return List.of("the loft", "the cabin");
    }
  }

  // end::feature-flag[]

  static final class Personalised implements Recommendations {
    @Override
    public List<String> forUser(FlagContext user) {
      return List.of("picked for " + user.key());
    }
  }

  @Test
  void evaluateAFlagForAUser() {
    BrownoutConfig config = BrownoutConfig.load();
    BrownoutMetrics metrics = BrownoutMetrics.of(new SimpleMeterRegistry());
    String userId = "user-1234";
    String plan = "pro";
    try (StateStore store = InMemoryStateStore.create()) {
      // tag::evaluate[]
      Flags flags = Flags.builder(store).config(config).metrics(metrics).build();

      FlagContext user = FlagContext.builder(userId).attribute("plan", plan).build();
      if (flags.isEnabled("new-checkout", user)) {
        // the new checkout
      }
      // end::evaluate[]
      try (flags) {
        assertThat(flags.isEnabled("new-checkout", user)).isFalse(); // unknown: the default
        flags.admin().create(FlagDefinition.on("new-checkout"));
        assertThat(flags.isEnabled("new-checkout", user)).isTrue();
      }
    }
  }

  @Test
  void aStagedRolloutHaltsWhenItsBreakerOpens() {
    BrownoutConfig config = BrownoutConfig.load();
    BrownoutMetrics metrics = BrownoutMetrics.of(new SimpleMeterRegistry());
    try (StateStore store = InMemoryStateStore.create();
        Flags flags = Flags.builder(store).build();
        Resilience resilience = Resilience.builder(store).circuitBreaker("payments").build()) {
      flags.admin().create(FlagDefinition.rollout("new-checkout", 0));
      // tag::rollout[]
      Rollouts rollouts =
          Rollouts.builder(flags)
              .breakers(
                  BreakerStates.of(
                      resilience::circuitBreakerNames,
                      name -> resilience.circuitBreaker(name).getState().name()))
              .config(config)
              .metrics(metrics)
              .build();
      rollouts.start(
          RolloutPlan.builder("new-checkout")
              .steps(1, 5, 25, 100)
              .every(Duration.ofMinutes(30))
              .guard(GuardDefinition.breaker("payments"))
              .guard(
                  GuardDefinition.meter("http.server.requests", 0.02, Duration.ofMinutes(5))
                      .withTags(Map.of("outcome", "SERVER_ERROR"))
                      .per("http.server.requests", Map.of(), 200))
              .build());
      // end::rollout[]
      try (rollouts) {
        assertThat(rollouts.status("new-checkout").state()).isEqualTo(Rollouts.State.RUNNING);
        assertThat(rollouts.status("new-checkout").percentage()).isEqualTo(1.0);

        resilience.circuitBreaker("payments").transitionToForcedOpenState();
        rollouts.tick();
        Await.until(
            "the plan halts",
            () -> rollouts.status("new-checkout").state() == Rollouts.State.HALTED);
      }
    }
  }

  @Test
  void aFeatureFlagOnAServiceMethodFallsBackWhileOff() {
    try (StateStore store = InMemoryStateStore.create();
        Flags flags = Flags.builder(store).build()) {
      flags
          .admin()
          .create(FlagDefinition.builder("personalised").target("on", "ada").rollout(0).build());
      Recommendations real = new Personalised();
      // tag::proxy[]
      Recommendations recommendations =
          GuardedProxies.builder().add(flags.guards()).build().proxy(Recommendations.class, real);
      // end::proxy[]
      assertThat(recommendations.forUser(FlagContext.of("ada"))).containsExactly("picked for ada");
      assertThat(recommendations.forUser(FlagContext.of("bob")))
          .containsExactly("the loft", "the cabin");
    }
  }

  @Test
  void theSameFlagsThroughOpenFeature() throws Exception {
    try (StateStore store = InMemoryStateStore.create();
        Flags flags = Flags.builder(store).build()) {
      flags.admin().create(FlagDefinition.on("new-checkout"));
      // tag::openfeature[]
      OpenFeatureAPI.getInstance().setProviderAndWait(new BrownoutFeatureProvider(flags));
      Client client = OpenFeatureAPI.getInstance().getClient();
      // end::openfeature[]
      try {
        assertThat(client.getBooleanValue("new-checkout", false)).isTrue();
      } finally {
        OpenFeatureAPI.getInstance().shutdown();
      }
    }
  }
}
