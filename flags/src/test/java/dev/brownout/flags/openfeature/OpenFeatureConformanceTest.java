package dev.brownout.flags.openfeature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.state.ForwardingStateStore;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.Namespace;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Watch;
import dev.brownout.state.WatchListener;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EventDetails;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.Hook;
import dev.openfeature.sdk.HookContext;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.MutableStructure;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderState;
import dev.openfeature.sdk.Value;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The provider against the OpenFeature specification's provider requirements (section 2), events
 * (5) and hooks (4), through the real SDK, on the specification's canonical flag set translated
 * into Brownout definitions. Each nested group names the requirements it checks.
 */
class OpenFeatureConformanceTest {
  /** A store that can be taken down and brought back. */
  static final class Outage extends ForwardingStateStore {
    final AtomicBoolean down = new AtomicBoolean();

    Outage(InMemoryStateStore store) {
      super(store);
    }

    @Override
    public Optional<StateRecord> read(Namespace namespace, String key) {
      check();
      return super.read(namespace, key);
    }

    @Override
    public List<StateRecord> list(Namespace namespace) {
      check();
      return super.list(namespace);
    }

    @Override
    public Watch watch(Namespace namespace, WatchListener listener) {
      check();
      return super.watch(namespace, listener);
    }

    private void check() {
      if (down.get()) {
        throw new StateUnavailableException("the test store is down", null);
      }
    }
  }

  static final String TARGETED_KEY = "5c3d8535-f81a-4478-a6d3-afaa4d51199e";

  final Outage store = new Outage(InMemoryStateStore.create());
  Flags flags;
  final String domain = "conformance-" + System.nanoTime();

  @AfterEach
  void close() {
    OpenFeatureAPI.getInstance().shutdown();
    if (flags != null) {
      flags.close();
    }
    store.close();
  }

  static FlagDefinition flag(String key, Map<String, Object> variants, String serve, String off) {
    return FlagDefinition.builder(key)
        .variants(variants)
        .offVariant(off)
        .fallthrough(FlagDefinition.Serve.variant(serve))
        .build();
  }

  /** The canonical flag set of the specification's provider TCK, as Brownout definitions. */
  void seed() {
    flags.admin().create(flag("boolean-flag", Map.of("on", true, "off", false), "on", "off"));
    flags
        .admin()
        .create(
            flag("string-flag", Map.of("greeting", "hi", "parting", "bye"), "greeting", "parting"));
    flags.admin().create(flag("integer-flag", Map.of("one", 1, "ten", 10), "ten", "one"));
    flags.admin().create(flag("float-flag", Map.of("tenth", 0.1, "half", 0.5), "half", "tenth"));
    flags
        .admin()
        .create(
            flag(
                "large-integer-flag",
                Map.of("one", 1, "max-int32", 2147483647),
                "max-int32",
                "one"));
    flags
        .admin()
        .create(
            flag(
                "huge-integer-flag",
                Map.of("one", 1, "max-safe", 9007199254740991L),
                "max-safe",
                "one"));
    flags
        .admin()
        .create(
            flag("boolean-zero-flag", Map.of("zero", false, "non-zero", true), "zero", "non-zero"));
    flags
        .admin()
        .create(flag("integer-zero-flag", Map.of("zero", 0, "non-zero", 1), "zero", "non-zero"));
    flags
        .admin()
        .create(
            flag("string-zero-flag", Map.of("zero", "", "non-zero", "str"), "zero", "non-zero"));
    flags
        .admin()
        .create(
            flag(
                "object-flag",
                Map.of(
                    "empty",
                    Map.of(),
                    "template",
                    Map.of(
                        "showImages",
                        true,
                        "title",
                        "Check out these pics!",
                        "imagesPerPage",
                        100)),
                "template",
                "empty"));
    flags.admin().create(flag("wrong-flag", Map.of("one", "uno", "two", "dos"), "one", "two"));
    flags
        .admin()
        .create(
            flag("disabled-boolean-flag", Map.of("on", true, "off", false), "on", "off")
                .withEnabled(false));
    flags
        .admin()
        .create(
            FlagDefinition.builder("targeting-key-flag")
                .variants(Map.of("miss", "miss", "hit", "hit"))
                .offVariant("miss")
                .target("hit", TARGETED_KEY)
                .fallthrough(FlagDefinition.Serve.variant("miss"))
                .build());
    flags.admin().create(FlagDefinition.builder("split-flag").rollout(50).build());
    flags
        .admin()
        .create(
            FlagDefinition.builder("rule-flag")
                .rule(
                    "pro",
                    FlagDefinition.Serve.variant("on"),
                    new FlagDefinition.Condition("plan", "in", List.of("pro")))
                .fallthrough(FlagDefinition.Serve.variant("off"))
                .build());
    flags.admin().create(flag("changing-flag", Map.of("foo", "foo", "bar", "bar"), "foo", "bar"));
  }

  Client stableClient() {
    flags = Flags.builder(store).refreshInterval(Duration.ofMillis(50)).build();
    seed();
    OpenFeatureAPI.getInstance().setProviderAndWait(domain, new BrownoutFeatureProvider(flags));
    return OpenFeatureAPI.getInstance().getClient(domain);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  static final ImmutableContext NOBODY = new ImmutableContext("someone");

  @Nested
  class Metadata {
    // 2.1.1: the provider identifies itself by name.
    @Test
    void theProviderHasAName() {
      Client client = stableClient();
      assertThat(new BrownoutFeatureProvider(flags).getMetadata().getName()).isEqualTo("brownout");
      assertThat(client.getBooleanDetails("boolean-flag", false, NOBODY).getFlagMetadata())
          .isNotNull();
    }
  }

  @Nested
  class Resolution {
    // 2.2.3 value, 2.2.4 variant, 2.2.6 no error code and 2.3.2 no error message in normal
    // execution, for every type (2.2.2.1, 2.2.8.1).
    @Test
    void everyTypeResolvesToItsValueAndVariantWithoutAnError() {
      Client client = stableClient();
      List<FlagEvaluationDetails<?>> all =
          List.of(
              client.getBooleanDetails("boolean-flag", false, NOBODY),
              client.getStringDetails("string-flag", "bye", NOBODY),
              client.getIntegerDetails("integer-flag", 1, NOBODY),
              client.getDoubleDetails("float-flag", 0.1, NOBODY),
              client.getObjectDetails("object-flag", new Value(), NOBODY));
      assertThat(all.stream().map(d -> (Object) d.getValue()).toList())
          .containsExactly(
              true,
              "hi",
              10,
              0.5,
              new Value(
                  new MutableStructure(
                      Map.of(
                          "showImages",
                          new Value(true),
                          "title",
                          new Value("Check out these pics!"),
                          "imagesPerPage",
                          new Value(100)))));
      assertThat(all.stream().map(FlagEvaluationDetails::getVariant).toList())
          .containsExactly("on", "greeting", "ten", "half", "template");
      assertThat(all).allSatisfy(d -> assertThat(d.getErrorCode()).isNull());
      assertThat(all).allSatisfy(d -> assertThat(d.getErrorMessage()).isNull());
    }

    // The zero values are values, not absences.
    @Test
    void falsyValuesAreValues() {
      Client client = stableClient();
      assertThat(client.getBooleanValue("boolean-zero-flag", true, NOBODY)).isFalse();
      assertThat(client.getIntegerValue("integer-zero-flag", 1, NOBODY)).isZero();
      assertThat(client.getStringValue("string-zero-flag", "fallback", NOBODY)).isEmpty();
    }

    @Test
    void largeIntegersKeepEveryDigit() {
      Client client = stableClient();
      assertThat(client.getIntegerValue("large-integer-flag", 1, NOBODY)).isEqualTo(2147483647);
      assertThat(client.getLongValue("huge-integer-flag", 1L, NOBODY)).isEqualTo(9007199254740991L);
      FlagEvaluationDetails<Integer> narrowed =
          client.getIntegerDetails("huge-integer-flag", 1, NOBODY);
      assertThat(narrowed.getValue()).isEqualTo(1);
      assertThat(narrowed.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    }

    // Section 3: the targeting key and attributes reach evaluation; numbers, booleans and
    // instants arrive as text the operators read.
    @Test
    void theContextReachesTheRules() {
      Client client = stableClient();
      flags
          .admin()
          .create(
              FlagDefinition.builder("mixed")
                  .rule(
                      "all",
                      FlagDefinition.Serve.variant("on"),
                      new FlagDefinition.Condition("age", "gte", List.of("18")),
                      new FlagDefinition.Condition("beta", "in", List.of("true")),
                      new FlagDefinition.Condition(
                          "since", "before", List.of("2030-01-01T00:00:00Z")))
                  .fallthrough(FlagDefinition.Serve.variant("off"))
                  .build());
      ImmutableContext adult =
          new ImmutableContext(
              "ada",
              Map.of(
                  "age",
                  new Value(42),
                  "beta",
                  new Value(true),
                  "since",
                  new Value(Instant.parse("2026-01-01T00:00:00Z"))));
      assertThat(client.getBooleanValue("mixed", false, adult)).isTrue();
      assertThat(
              client.getStringValue("targeting-key-flag", "x", new ImmutableContext(TARGETED_KEY)))
          .isEqualTo("hit");
    }
  }

  @Nested
  class Reasons {
    // 2.2.5, with the standard meanings: STATIC for no targeting, TARGETING_MATCH and DEFAULT for a
    // targeting rule that does and does not match, SPLIT, DISABLED, ERROR.
    @Test
    void aFlagWithNoTargetingResolvesStatically() {
      Client client = stableClient();
      assertThat(client.getBooleanDetails("boolean-flag", false, NOBODY).getReason())
          .isEqualTo("STATIC");
      assertThat(client.getStringDetails("string-flag", "bye", NOBODY).getReason())
          .isEqualTo("STATIC");
      assertThat(client.getIntegerDetails("integer-flag", 1, NOBODY).getReason())
          .isEqualTo("STATIC");
      assertThat(client.getDoubleDetails("float-flag", 0.1, NOBODY).getReason())
          .isEqualTo("STATIC");
    }

    @Test
    void targetingReportsAMatchOrTheDefault() {
      Client client = stableClient();
      assertThat(
              client
                  .getStringDetails("targeting-key-flag", "x", new ImmutableContext(TARGETED_KEY))
                  .getReason())
          .isEqualTo("TARGETING_MATCH");
      FlagEvaluationDetails<String> miss =
          client.getStringDetails(
              "targeting-key-flag",
              "x",
              new ImmutableContext("f20bd32d-703b-48b6-bc8e-79d53c85134a"));
      assertThat(miss.getReason()).isEqualTo("DEFAULT");
      assertThat(miss.getValue()).isEqualTo("miss");
      assertThat(
              client
                  .getBooleanDetails(
                      "rule-flag",
                      false,
                      new ImmutableContext("a", Map.of("plan", new Value("pro"))))
                  .getReason())
          .isEqualTo("TARGETING_MATCH");
    }

    @Test
    void aRolloutIsASplitAndAKilledFlagIsDisabled() {
      Client client = stableClient();
      assertThat(client.getBooleanDetails("split-flag", false, NOBODY).getReason())
          .isEqualTo("SPLIT");
      FlagEvaluationDetails<Boolean> disabled =
          client.getBooleanDetails("disabled-boolean-flag", true, NOBODY);
      assertThat(disabled.getReason()).isEqualTo("DISABLED");
      assertThat(disabled.getValue()).as("a killed flag serves its off variant").isFalse();
      assertThat(disabled.getErrorCode()).isNull();
    }

    @Test
    void errorsReportErrorWithTheirCode() {
      Client client = stableClient();
      FlagEvaluationDetails<String> missing =
          client.getStringDetails("missing-flag", "fallback", NOBODY);
      assertThat(missing.getReason()).isEqualTo("ERROR");
      assertThat(missing.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
      FlagEvaluationDetails<String> mismatch =
          client.getStringDetails("boolean-flag", "fallback", NOBODY);
      assertThat(mismatch.getReason()).isEqualTo("ERROR");
      assertThat(mismatch.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    }
  }

  @Nested
  class Errors {
    // 2.2.7 and 2.3.3: the code default, the right error code, a message, and nothing thrown.
    record Case(String key, String type) {}

    @Test
    void requestingTheWrongTypeReturnsTheCodeDefault() {
      Client client = stableClient();
      List<Case> cases =
          List.of(
              new Case("string-flag", "Boolean"),
              new Case("string-flag", "Integer"),
              new Case("string-flag", "Float"),
              new Case("wrong-flag", "Boolean"),
              new Case("boolean-flag", "String"),
              new Case("boolean-flag", "Integer"),
              new Case("boolean-flag", "Float"),
              new Case("boolean-flag", "Object"),
              new Case("integer-flag", "Boolean"),
              new Case("integer-flag", "String"),
              new Case("float-flag", "Boolean"),
              new Case("float-flag", "String"),
              new Case("float-flag", "Integer"),
              new Case("object-flag", "Boolean"),
              new Case("object-flag", "String"),
              new Case("object-flag", "Integer"),
              new Case("object-flag", "Float"));
      for (Case c : cases) {
        FlagEvaluationDetails<?> details =
            switch (c.type()) {
              case "Boolean" -> client.getBooleanDetails(c.key(), false, NOBODY);
              case "String" -> client.getStringDetails(c.key(), "fallback", NOBODY);
              case "Integer" -> client.getIntegerDetails(c.key(), 1, NOBODY);
              case "Float" -> client.getDoubleDetails(c.key(), 0.1, NOBODY);
              default -> client.getObjectDetails(c.key(), new Value("default"), NOBODY);
            };
        Object expected =
            switch (c.type()) {
              case "Boolean" -> false;
              case "String" -> "fallback";
              case "Integer" -> 1;
              case "Float" -> 0.1;
              default -> new Value("default");
            };
        assertThat(details.getValue()).as("%s read as %s", c.key(), c.type()).isEqualTo(expected);
        assertThat(details.getErrorCode())
            .as("%s read as %s", c.key(), c.type())
            .isEqualTo(ErrorCode.TYPE_MISMATCH);
        assertThat(details.getReason()).isEqualTo("ERROR");
        assertThat(details.getErrorMessage()).contains(c.key());
      }
    }

    @Test
    void theDeclaredTypeDecidesNotTheValueThisUnitGets() {
      Client client = stableClient();
      flags.admin().create(flag("mostly-whole", Map.of("a", 1, "b", 2.5), "a", "b"));
      FlagEvaluationDetails<Integer> details = client.getIntegerDetails("mostly-whole", 7, NOBODY);
      assertThat(details.getValue()).as("1 would fit, but the flag holds 2.5 too").isEqualTo(7);
      assertThat(details.getErrorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
      assertThat(client.getDoubleValue("integer-flag", 0.0, NOBODY))
          .as("whole numbers read as doubles")
          .isEqualTo(10.0);
    }

    @Test
    void anUnknownFlagReturnsTheCodeDefault() {
      Client client = stableClient();
      assertThatCode(
              () -> {
                FlagEvaluationDetails<String> details =
                    client.getStringDetails("missing-flag", "fallback", NOBODY);
                assertThat(details.getValue()).isEqualTo("fallback");
                assertThat(details.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
                assertThat(details.getErrorMessage()).contains("missing-flag");
              })
          .doesNotThrowAnyException();
    }
  }

  @Nested
  class FlagMetadata {
    // 2.2.9 and 2.2.10: flag metadata, with string, number and boolean values only.
    @Test
    void evaluationsCarryTheVersionAndTheRule() {
      Client client = stableClient();
      FlagEvaluationDetails<Boolean> details =
          client.getBooleanDetails(
              "rule-flag", false, new ImmutableContext("a", Map.of("plan", new Value("pro"))));
      assertThat(details.getFlagMetadata().getLong("flagVersion"))
          .isEqualTo(flags.snapshot().version("rule-flag").orElseThrow());
      assertThat(details.getFlagMetadata().getString("ruleId")).isEqualTo("pro");
      assertThat(details.getFlagMetadata().getString("brownoutReason")).isEqualTo("RULE");
      assertThat(details.getFlagMetadata().asUnmodifiableMap().values())
          .allSatisfy(
              value ->
                  assertThat(value).isInstanceOfAny(String.class, Number.class, Boolean.class));
    }
  }

  @Nested
  class LifecycleAndEvents {
    // 2.4 initialisation, 5.x events: READY on a healthy store.
    @Test
    void aProviderOnAHealthyStoreBecomesReady() throws Exception {
      List<EventDetails> ready = new CopyOnWriteArrayList<>();
      OpenFeatureAPI.getInstance().onProviderReady(ready::add);
      Client client = stableClient();
      await("the ready event", () -> !ready.isEmpty());
      assertThat(client.getProviderState()).isEqualTo(ProviderState.READY);
    }

    // 2.4.2.1: a provider that cannot reach its store fails to initialise, is in ERROR, still
    // returns the code's defaults, and turns READY when the store answers.
    @Test
    void aProviderThatCannotReachItsStoreReportsAnErrorThenRecovers() throws Exception {
      store.down.set(true);
      flags = Flags.builder(store).refreshInterval(Duration.ofMillis(50)).build();
      List<EventDetails> errors = new CopyOnWriteArrayList<>();
      List<EventDetails> ready = new CopyOnWriteArrayList<>();
      Client client = OpenFeatureAPI.getInstance().getClient(domain);
      client.onProviderError(errors::add);
      client.onProviderReady(ready::add);
      OpenFeatureAPI.getInstance().setProvider(domain, new BrownoutFeatureProvider(flags));
      await("the error event", () -> !errors.isEmpty());
      assertThat(client.getProviderState()).isEqualTo(ProviderState.ERROR);
      FlagEvaluationDetails<Boolean> details =
          client.getBooleanDetails("boolean-flag", false, NOBODY);
      assertThat(details.getValue()).isFalse();
      assertThat(details.getReason()).isEqualTo("ERROR");

      store.down.set(false);
      await("the ready event once the store answers", () -> !ready.isEmpty());
      assertThat(client.getProviderState()).isEqualTo(ProviderState.READY);
    }

    // 5.x: PROVIDER_CONFIGURATION_CHANGED names the changed flag, and the change is applied.
    @Test
    void aConfigurationChangeIsSignalledAndApplied() throws Exception {
      Client client = stableClient();
      List<EventDetails> changes = new CopyOnWriteArrayList<>();
      client.onProviderConfigurationChanged(changes::add);
      assertThat(client.getStringValue("changing-flag", "unset", NOBODY)).isEqualTo("foo");
      flags
          .admin()
          .update(
              "changing-flag",
              f -> f.withFallthrough(FlagDefinition.Serve.variant("bar")),
              java.util.OptionalLong.empty(),
              false);
      await(
          "the change event",
          () -> changes.stream().anyMatch(e -> e.getFlagsChanged().contains("changing-flag")));
      assertThat(client.getStringValue("changing-flag", "unset", NOBODY)).isEqualTo("bar");
    }

    // 5.x: losing the store makes the provider STALE; regaining it makes it READY again.
    @Test
    void losingTheStoreMakesTheProviderStaleAndRegainingItReady() throws Exception {
      Client client = stableClient();
      List<EventDetails> stale = new CopyOnWriteArrayList<>();
      List<EventDetails> ready = new CopyOnWriteArrayList<>();
      client.onProviderStale(stale::add);
      client.onProviderReady(ready::add);
      // A handler added to a ready provider runs at once (5.3.3): wait for that one first.
      await("the ready event of the provider already ready", () -> !ready.isEmpty());
      int readyBefore = ready.size();
      store.down.set(true);
      await("the stale event", () -> !stale.isEmpty());
      assertThat(client.getProviderState()).isEqualTo(ProviderState.STALE);
      assertThat(client.getBooleanValue("boolean-flag", false, NOBODY))
          .as("the last known flags still serve")
          .isTrue();
      store.down.set(false);
      await(
          "the ready event and state",
          () -> ready.size() > readyBefore && client.getProviderState() == ProviderState.READY);
    }

    // 2.5.2: after shutdown the provider can be initialised again.
    @Test
    void aShutDownProviderCanBeInitialisedAgain() throws Exception {
      flags = Flags.builder(store).build();
      seed();
      BrownoutFeatureProvider provider = new BrownoutFeatureProvider(flags);
      provider.initialize(new ImmutableContext());
      provider.shutdown();
      assertThatCode(() -> provider.initialize(new ImmutableContext())).doesNotThrowAnyException();
      assertThat(provider.getBooleanEvaluation("boolean-flag", false, NOBODY).getValue()).isTrue();
      provider.shutdown();
    }
  }

  @Nested
  class Hooks {
    // 2.3.1 provider hooks, 4.x: hooks run around the provider with its results.
    @Test
    void hooksSeeTheProvidersResultsInOrder() {
      Client client = stableClient();
      List<String> calls = new CopyOnWriteArrayList<>();
      client.addHooks(
          new Hook<Object>() {
            @Override
            public Optional<dev.openfeature.sdk.EvaluationContext> before(
                HookContext<Object> context, Map<String, Object> hints) {
              calls.add("before " + context.getFlagKey());
              return Optional.empty();
            }

            @Override
            public void after(
                HookContext<Object> context,
                FlagEvaluationDetails<Object> details,
                Map<String, Object> hints) {
              calls.add(
                  "after "
                      + details.getReason()
                      + " "
                      + details.getFlagMetadata().getLong("flagVersion"));
            }

            @Override
            public void error(
                HookContext<Object> context, Exception error, Map<String, Object> hints) {
              calls.add("error " + error.getClass().getSimpleName());
            }

            @Override
            public void finallyAfter(
                HookContext<Object> context,
                FlagEvaluationDetails<Object> details,
                Map<String, Object> hints) {
              calls.add("finally " + details.getValue());
            }
          });
      assertThat(new BrownoutFeatureProvider(flags).getProviderHooks()).isEmpty();
      client.getBooleanValue("boolean-flag", false, NOBODY);
      client.getBooleanValue("missing-flag", false, NOBODY);
      long version = flags.snapshot().version("boolean-flag").orElseThrow();
      assertThat(calls)
          .containsExactly(
              "before boolean-flag",
              "after STATIC " + version,
              "finally true",
              "before missing-flag",
              "error FlagNotFoundError",
              "finally false");
    }
  }
}
