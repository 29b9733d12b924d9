package dev.brownout.flags.openfeature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.state.InMemoryStateStore;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The provider through the real OpenFeature SDK. */
class BrownoutFeatureProviderTest {
  final InMemoryStateStore store = InMemoryStateStore.create();
  final Flags flags = Flags.builder(store).build();

  @AfterEach
  void close() {
    OpenFeatureAPI.getInstance().shutdown();
    flags.close();
    store.close();
  }

  Client client() {
    OpenFeatureAPI.getInstance()
        .setProviderAndWait("brownout-test", new BrownoutFeatureProvider(flags));
    return OpenFeatureAPI.getInstance().getClient("brownout-test");
  }

  @Test
  void booleanFlagsWithTargetingAndAttributes() {
    flags
        .admin()
        .create(
            new FlagDefinition(
                "beta",
                null,
                true,
                null,
                null,
                null,
                null,
                List.of(
                    new FlagDefinition.Rule(
                        "pro",
                        List.of(new FlagDefinition.Condition("plan", "in", List.of("pro"))),
                        FlagDefinition.Serve.variant("on"))),
                FlagDefinition.Serve.variant("off")));
    Client client = client();

    FlagEvaluationDetails<Boolean> pro =
        client.getBooleanDetails(
            "beta", false, new ImmutableContext("ada", Map.of("plan", new Value("pro"))));
    FlagEvaluationDetails<Boolean> free =
        client.getBooleanDetails(
            "beta", true, new ImmutableContext("bob", Map.of("plan", new Value("free"))));

    assertThat(pro.getValue()).isTrue();
    assertThat(pro.getVariant()).isEqualTo("on");
    assertThat(pro.getReason()).isEqualTo("TARGETING_MATCH");
    assertThat(free.getValue()).isFalse();
    assertThat(free.getReason()).isEqualTo("DEFAULT");
  }

  @Test
  void unknownFlagsAndWrongTypesGiveTheDefaultWithAnErrorCode() {
    flags.admin().create(FlagDefinition.on("feature"));
    Client client = client();

    FlagEvaluationDetails<Boolean> missing =
        client.getBooleanDetails("nope", true, new ImmutableContext("a"));
    FlagEvaluationDetails<String> wrongType =
        client.getStringDetails("feature", "fallback", new ImmutableContext("a"));

    assertThat(missing.getValue()).isTrue();
    assertThat(missing.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
    assertThat(wrongType.getValue()).isEqualTo("fallback");
    assertThat(wrongType.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
  }

  @Test
  void aRolloutIsStickyThroughOpenFeature() {
    flags.admin().create(FlagDefinition.rollout("checkout", 30));
    Client client = client();

    for (int i = 0; i < 200; i++) {
      ImmutableContext user = new ImmutableContext("user-" + i);
      assertThat(client.getBooleanValue("checkout", false, user))
          .isEqualTo(flags.isEnabled("checkout", dev.brownout.flags.FlagContext.of("user-" + i)));
    }
  }
}
