package dev.brownout.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.flags.FlagDefinition.Condition;
import dev.brownout.flags.FlagDefinition.Prerequisite;
import dev.brownout.flags.FlagDefinition.Rollout;
import dev.brownout.flags.FlagDefinition.Rule;
import dev.brownout.flags.FlagDefinition.Serve;
import dev.brownout.flags.FlagDefinition.Target;
import dev.brownout.flags.FlagEvaluation.Reason;
import dev.brownout.state.InMemoryStateStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FlagEvaluationTest {
  final BrownoutMetrics metrics = BrownoutMetrics.inMemory();
  final InMemoryStateStore store = InMemoryStateStore.create();
  final Flags flags = Flags.builder(store).metrics(metrics).build();

  @AfterEach
  void close() {
    flags.close();
    store.close();
  }

  static FlagDefinition flag(String key, List<Rule> rules, Serve fallthrough) {
    return new FlagDefinition(key, null, true, null, null, null, null, rules, fallthrough);
  }

  static Rule rule(String id, String attribute, String operator, String... values) {
    return new Rule(
        id, List.of(new Condition(attribute, operator, List.of(values))), Serve.variant("on"));
  }

  @Test
  void theKillSwitchTurnsTheFlagOffForEveryone() {
    flags.admin().create(FlagDefinition.on("search"));
    assertThat(flags.isEnabled("search", FlagContext.of("alice"))).isTrue();

    flags
        .admin()
        .update("search", f -> f.withEnabled(false), java.util.OptionalLong.empty(), false);

    FlagEvaluation result = flags.evaluate("search", FlagContext.of("alice"));
    assertThat(result.value()).isEqualTo(false);
    assertThat(result.reason()).isEqualTo(Reason.DISABLED);
  }

  @Test
  void everyFlagIsFoundByAnyStringWithItsKeyAndNoOtherIs() {
    // The snapshot's lookup table: keys as literals (interned) and as fresh strings, a table
    // with colliding slots, and a key whose slot is taken by another flag.
    for (int i = 0; i < 300; i++) {
      flags.admin().create(FlagDefinition.on("flag-" + i).withEnabled(i % 2 == 0));
    }

    for (int i = 0; i < 300; i++) {
      String fresh = new String(("flag-" + i).toCharArray());
      assertThat(flags.evaluate(fresh, FlagContext.of("u")).reason())
          .as(fresh)
          .isNotEqualTo(Reason.FLAG_NOT_FOUND);
      assertThat(flags.isEnabled(fresh, FlagContext.of("u"))).as(fresh).isEqualTo(i % 2 == 0);
    }
    assertThat(flags.isEnabled("flag-0", FlagContext.of("u"))).isTrue();
    assertThat(flags.evaluate("flag-300", FlagContext.of("u")).reason())
        .isEqualTo(Reason.FLAG_NOT_FOUND);
    assertThat(flags.evaluate("", FlagContext.of("u")).reason()).isEqualTo(Reason.FLAG_NOT_FOUND);
  }

  @Test
  void aReadThatRacedADeleteDoesNotBringTheFlagBackButARecreatedFlagComes() {
    flags.admin().create(FlagDefinition.on("gone"));
    long version = flags.snapshot().version("gone").orElseThrow();
    var readBeforeTheDelete =
        flags.compile(flags.snapshot().definition("gone").orElseThrow(), version);

    flags.admin().delete("gone", java.util.OptionalLong.empty());
    // The watcher's re-read of an earlier change lands after the delete.
    flags.applyIfNewer(readBeforeTheDelete, java.time.Instant.now());

    assertThat(flags.snapshot().keys()).doesNotContain("gone");
    assertThat(flags.evaluate("gone", FlagContext.of("u")).reason())
        .isEqualTo(Reason.FLAG_NOT_FOUND);

    flags.admin().create(FlagDefinition.on("gone"));
    assertThat(flags.isEnabled("gone", FlagContext.of("u"))).isTrue();
  }

  @Test
  void anUnknownFlagGivesTheCallersDefaultAndIsCounted() {
    assertThat(flags.isEnabled("nope", FlagContext.of("alice"), true)).isTrue();
    assertThat(flags.evaluate("nope", FlagContext.anonymous()).reason())
        .isEqualTo(Reason.FLAG_NOT_FOUND);
    assertThat(
            metrics
                .registry()
                .get("brownout.feature_flag.unknown")
                .tag("feature_flag.key", "nope")
                .counter()
                .count())
        .isEqualTo(2);
  }

  @Test
  void targetsComeBeforeRulesAndRulesInOrder() {
    FlagDefinition definition =
        new FlagDefinition(
            "beta",
            null,
            true,
            null,
            null,
            null,
            List.of(new Target("off", List.of("mallory"))),
            List.of(
                rule("staff", "email", "ends_with", "@brownout.dev"),
                new Rule(
                    "eu",
                    List.of(new Condition("country", "in", List.of("FR", "DE"))),
                    Serve.variant("off"))),
            Serve.variant("off"));
    flags.admin().create(definition);

    FlagContext mallory =
        FlagContext.builder("mallory").attribute("email", "m@brownout.dev").build();
    FlagContext staff =
        FlagContext.builder("ada")
            .attribute("email", "ada@brownout.dev")
            .attribute("country", "FR")
            .build();
    FlagContext french = FlagContext.builder("jean").attribute("country", "FR").build();

    assertThat(flags.evaluate("beta", mallory).reason()).isEqualTo(Reason.TARGETING_MATCH);
    assertThat(flags.isEnabled("beta", mallory)).isFalse();
    FlagEvaluation staffResult = flags.evaluate("beta", staff);
    assertThat(staffResult.value()).isEqualTo(true);
    assertThat(staffResult.ruleId()).isEqualTo("staff");
    assertThat(flags.evaluate("beta", french).ruleId()).isEqualTo("eu");
    assertThat(flags.evaluate("beta", FlagContext.of("nobody")).reason()).isEqualTo(Reason.DEFAULT);
  }

  @Test
  void everyOperatorDoesWhatItSays() {
    record Case(String operator, String value, String attribute, boolean matches) {}
    List<Case> cases =
        List.of(
            new Case("in", "a", "a", true),
            new Case("in", "a", "b", false),
            new Case("not_in", "a", "b", true),
            new Case("not_in", "a", "a", false),
            new Case("starts_with", "pre", "prefix", true),
            new Case("ends_with", "fix", "prefix", true),
            new Case("contains", "efi", "prefix", true),
            new Case("contains", "zz", "prefix", false),
            new Case("lt", "10", "9.5", true),
            new Case("lte", "10", "10", true),
            new Case("gt", "10", "10", false),
            new Case("gte", "10", "11", true),
            new Case("gt", "10", "not-a-number", false),
            new Case("semver_lt", "2.0.0", "1.10.3", true),
            new Case("semver_gt", "1.9.0", "1.10.0", true),
            new Case("semver_eq", "1.2.3", "v1.2.3", true),
            new Case("semver_lt", "1.0.0", "1.0.0-beta", true),
            new Case("semver_gte", "1.0.0", "garbage", false),
            new Case("before", "2026-06-01T00:00:00Z", "2026-05-31T23:59:59Z", true),
            new Case("after", "2026-06-01T00:00:00Z", "2026-05-31T23:59:59Z", false));
    int i = 0;
    for (Case c : cases) {
      String key = "op-" + i++;
      flags
          .admin()
          .create(
              flag(key, List.of(rule("r", "x", c.operator(), c.value())), Serve.variant("off")));
      FlagContext context = FlagContext.builder("u").attribute("x", c.attribute()).build();
      assertThat(flags.isEnabled(key, context)).as(c.toString()).isEqualTo(c.matches());
    }
  }

  @Test
  void aRolloutServesItsShareOfUnitsStickily() {
    flags.admin().create(FlagDefinition.rollout("checkout", 30));

    int on = 0;
    for (int i = 0; i < 20_000; i++) {
      FlagContext user = FlagContext.of("user-" + i);
      boolean enabled = flags.isEnabled("checkout", user);
      assertThat(flags.isEnabled("checkout", user)).isEqualTo(enabled);
      if (enabled) {
        on++;
      }
    }
    assertThat(on / 20_000.0).isBetween(0.28, 0.32);
  }

  @Test
  void aRolloutCanBucketByAnyAttributeAndSkipsUnitsWithoutIt() {
    flags
        .admin()
        .create(
            flag(
                "per-account",
                List.of(),
                new Serve(null, new Rollout(100.0, null, null, "account", null))));

    assertThat(
            flags.isEnabled(
                "per-account", FlagContext.builder("u1").attribute("account", "acme").build()))
        .isTrue();
    FlagEvaluation noAccount = flags.evaluate("per-account", FlagContext.of("u2"));
    assertThat(noAccount.reason()).isEqualTo(Reason.SPLIT_OUT);
    assertThat(noAccount.value()).isEqualTo(false);
  }

  @Test
  void multivariateFlagsSplitByWeight() {
    Map<String, Object> variants = new LinkedHashMap<>();
    variants.put("control", "blue");
    variants.put("treatment", "green");
    variants.put("off", "blue");
    flags
        .admin()
        .create(
            new FlagDefinition(
                "button",
                null,
                true,
                variants,
                "off",
                null,
                null,
                null,
                new Serve(
                    null,
                    new Rollout(100.0, Map.of("control", 1, "treatment", 3), null, null, null))));

    int green = 0;
    for (int i = 0; i < 20_000; i++) {
      if (flags.stringValue("button", FlagContext.of("user-" + i), "none").equals("green")) {
        green++;
      }
    }
    assertThat(green / 20_000.0).isBetween(0.73, 0.77);
    assertThat(flags.isEnabled("button", FlagContext.of("x"), true))
        .as("a string flag read as boolean gives the default")
        .isTrue();
  }

  @Test
  void prerequisitesMustServeTheirVariantAndCyclesAreRefused() {
    flags.admin().create(FlagDefinition.on("payments-v2"));
    flags
        .admin()
        .create(
            new FlagDefinition(
                "checkout-v2",
                null,
                true,
                null,
                null,
                List.of(new Prerequisite("payments-v2", "on")),
                null,
                null,
                null));
    assertThat(flags.isEnabled("checkout-v2", FlagContext.of("a"))).isTrue();

    flags
        .admin()
        .update("payments-v2", f -> f.withEnabled(false), java.util.OptionalLong.empty(), false);
    assertThat(flags.evaluate("checkout-v2", FlagContext.of("a")).reason())
        .isEqualTo(Reason.PREREQUISITE_FAILED);

    assertThatThrownBy(
            () ->
                flags
                    .admin()
                    .replace(
                        new FlagDefinition(
                            "payments-v2",
                            null,
                            true,
                            null,
                            null,
                            List.of(new Prerequisite("checkout-v2", "on")),
                            null,
                            null,
                            null),
                        java.util.OptionalLong.empty(),
                        true))
        .isInstanceOf(FlagConflictException.class)
        .hasMessageContaining("cycle: payments-v2 -> checkout-v2 -> payments-v2");
    assertThatThrownBy(() -> flags.admin().delete("payments-v2", java.util.OptionalLong.empty()))
        .hasMessageContaining("prerequisite of [checkout-v2]");
  }

  @Test
  void anInvalidDefinitionIsRefusedWholeWithEveryProblemNamed() {
    FlagDefinition bad =
        new FlagDefinition(
            "Bad Key",
            null,
            true,
            Map.of("on", true, "off", "no"),
            "missing",
            null,
            List.of(new Target("ghost", List.of("alice"))),
            List.of(
                new Rule(
                    "r",
                    List.of(
                        new Condition("age", "gt", List.of("old")),
                        new Condition("x", "resembles", List.of("y"))),
                    Serve.variant("on"))),
            new Serve(null, new Rollout(140.0, null, null, null, null)));

    assertThatThrownBy(() -> flags.admin().create(bad))
        .isInstanceOfSatisfying(
            InvalidFlagException.class,
            e ->
                assertThat(e.problems())
                    .hasSize(7)
                    .anySatisfy(p -> assertThat(p).contains("key must be"))
                    .anySatisfy(p -> assertThat(p).contains("offVariant: 'missing'"))
                    .anySatisfy(p -> assertThat(p).contains("targets[0].variant: 'ghost'"))
                    .anySatisfy(p -> assertThat(p).contains("'old' is not a number"))
                    .anySatisfy(p -> assertThat(p).contains("'resembles' is not one of"))
                    .anySatisfy(p -> assertThat(p).contains("between 0 and 100 but was 140.0"))
                    .anySatisfy(p -> assertThat(p).contains("must all be booleans")));
    assertThat(flags.snapshot().size()).isZero();
  }

  @Test
  void aJumpFromZeroToAHundredPercentNeedsConfirmation() {
    flags.admin().create(FlagDefinition.rollout("risky", 0));

    assertThatThrownBy(
            () ->
                flags
                    .admin()
                    .update(
                        "risky",
                        f -> f.withFallthrough(Serve.rollout(100)),
                        java.util.OptionalLong.empty(),
                        false))
        .isInstanceOfSatisfying(
            FlagConflictException.class,
            e -> assertThat(e.kind()).isEqualTo(FlagConflictException.Kind.CONFIRMATION_REQUIRED));
    assertThat(flags.isEnabled("risky", FlagContext.of("a"))).isFalse();

    flags
        .admin()
        .update(
            "risky",
            f -> f.withFallthrough(Serve.rollout(5)),
            java.util.OptionalLong.empty(),
            false);
    flags
        .admin()
        .update(
            "risky",
            f -> f.withFallthrough(Serve.rollout(100)),
            java.util.OptionalLong.empty(),
            false);
    assertThat(flags.isEnabled("risky", FlagContext.of("a"))).isTrue();
  }

  @Test
  void evaluationsAreCountedByFlagVariantAndReasonWithoutUserIds() {
    flags.admin().create(FlagDefinition.rollout("counted", 50));
    for (int i = 0; i < 100; i++) {
      flags.isEnabled("counted", FlagContext.of("user-" + i));
    }

    var counters =
        metrics
            .registry()
            .find("brownout.feature_flag.evaluations")
            .tag("feature_flag.key", "counted")
            .functionCounters();
    assertThat(counters.stream().mapToDouble(c -> c.count()).sum()).isEqualTo(100);
    assertThat(counters)
        .allSatisfy(c -> assertThat(c.getId().getTags().toString()).doesNotContain("user-"));
  }
}
