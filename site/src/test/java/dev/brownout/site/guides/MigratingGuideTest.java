package dev.brownout.site.guides;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.FlagDefinition.Condition;
import dev.brownout.flags.FlagDefinition.Serve;
import dev.brownout.flags.Flags;
import dev.brownout.state.InMemoryStateStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The migration guide: a Togglz, FF4J or Unleash toggle, written as a Brownout flag. */
class MigratingGuideTest {
  @Test
  void aToggleWithUsersAStrategyAndAGradualRollout() {
    try (InMemoryStateStore store = InMemoryStateStore.create();
        Flags flags = Flags.builder(store).build()) {
      // tag::definition[]
      flags
          .admin()
          .create(
              FlagDefinition.builder("new-checkout")
                  .description("The one-page checkout")
                  .target("on", "ada", "grace") // Togglz's user list, FF4J's whitelist
                  .rule(
                      "pro-plans", Serve.variant("on"), new Condition("plan", "in", List.of("pro")))
                  .rollout(20) // gradual / ponderation / gradualRollout: 20 % of everyone else
                  .build());
      // end::definition[]

      // tag::evaluate[]
      FlagContext context =
          FlagContext.builder("user-1234") // Unleash's userId, Togglz's FeatureUser
              .attribute("plan", "pro") // Unleash's context properties
              .build();
      boolean enabled = flags.isEnabled("new-checkout", context);
      // end::evaluate[]
      assertThat(enabled).isTrue();
      assertThat(flags.isEnabled("new-checkout", FlagContext.of("ada"))).isTrue();
      long free =
          java.util.stream.IntStream.range(0, 2000)
              .filter(
                  i ->
                      flags.isEnabled(
                          "new-checkout",
                          FlagContext.builder("u" + i).attribute("plan", "free").build()))
              .count();
      assertThat(free).isBetween(300L, 500L);
    }
  }
}
