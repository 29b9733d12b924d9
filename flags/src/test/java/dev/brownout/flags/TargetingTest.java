package dev.brownout.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.flags.FlagDefinition.Condition;
import dev.brownout.flags.FlagDefinition.Serve;
import dev.brownout.flags.FlagEvaluation.Reason;
import dev.brownout.state.InMemoryStateStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Operators, typed reads and what evaluation hands out. */
class TargetingTest {
  final InMemoryStateStore store = InMemoryStateStore.create();
  final Flags flags = Flags.builder(store).build();

  @AfterEach
  void close() {
    flags.close();
    store.close();
  }

  FlagDefinition rule(String key, String attribute, String operator, String... values) {
    return FlagDefinition.builder(key)
        .rule("r", Serve.variant("on"), new Condition(attribute, operator, List.of(values)))
        .fallthrough(Serve.variant("off"))
        .build();
  }

  boolean on(String flag, String attribute, String value) {
    return flags.isEnabled(flag, FlagContext.builder("u").attribute(attribute, value).build());
  }

  @Test
  void preReleasesOrderAsSemverSaysNotAsText() {
    flags.admin().create(rule("new-app", "version", "semver_gte", "2.0.0-rc.10"));
    assertThat(on("new-app", "version", "2.0.0-rc.2")).as("rc.2 < rc.10").isFalse();
    assertThat(on("new-app", "version", "2.0.0-rc.10")).isTrue();
    assertThat(on("new-app", "version", "2.0.0-rc.11")).isTrue();
    assertThat(on("new-app", "version", "2.0.0")).as("a release follows its pre-releases").isTrue();
    assertThat(on("new-app", "version", "2.0.0-rc.x")).as("numeric < alphanumeric").isTrue();
    assertThat(on("new-app", "version", "2.0.0-beta")).as("beta < rc").isFalse();
    assertThat(on("new-app", "version", "2.0.0-alpha.1")).isFalse();
    assertThat(on("new-app", "version", "2.0.0-rc.10+build.7"))
        .as("build metadata ignored")
        .isTrue();
    assertThat(on("new-app", "version", "v2.1")).isTrue();
    assertThat(on("new-app", "version", "two")).isFalse();

    List<String> ordered =
        List.of(
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0");
    for (int i = 1; i < ordered.size(); i++) {
      assertThat(Semver.parse(ordered.get(i - 1)).compareTo(Semver.parse(ordered.get(i))))
          .as("%s < %s (semver.org's own example)", ordered.get(i - 1), ordered.get(i))
          .isNegative();
    }
    assertThatThrownBy(
            () ->
                FlagDefinition.builder("x")
                    .rule(
                        "r",
                        Serve.variant("on"),
                        new Condition("v", "semver_lt", List.of("1.0.0-")))
                    .build())
        .hasMessageContaining("is not a version");
  }

  @Test
  void attributesAreFoundWhateverTheirNumberAndHoweverTheirNamesWereMade() {
    flags.admin().create(rule("by-plan", "plan", "in", "gold"));
    flags.admin().create(rule("by-age", "age", "gte", "65"));
    for (int extra : new int[] {0, 3, 11, 12, 13, 40}) {
      FlagContext.Builder builder = FlagContext.builder("u");
      for (int i = 0; i < extra; i++) {
        builder.attribute("a" + i, "v" + i);
      }
      // Names built at run time, as a JSON body or a header gives them: not the interned literal.
      FlagContext context =
          builder
              .attribute(new String(new char[] {'p', 'l', 'a', 'n'}), "gold")
              .attribute(new StringBuilder("ag").append('e').toString(), 70)
              .build();
      assertThat(flags.isEnabled("by-plan", context)).as("%d other attributes", extra).isTrue();
      assertThat(flags.isEnabled("by-age", context)).as("%d other attributes", extra).isTrue();
      FlagContext other = builder.attribute("plan", "free").attribute("age", 30).build();
      assertThat(flags.isEnabled("by-plan", other)).isFalse();
      assertThat(flags.isEnabled("by-age", other)).isFalse();
    }
  }

  @Test
  void listedUnitsAreFoundAmongOthersOfTheSameHash() {
    // "Aa" and "BB" share a String hash, as do longer strings built from them.
    List<String> listed = List.of("AaAa", "BBBB", "AaBB");
    flags
        .segments()
        .create(new SegmentDefinition("colliding", null, listed, List.of("BBAa"), null));
    flags.admin().create(rule("in-colliding", "key", "in_segment", "colliding"));
    flags
        .admin()
        .create(
            FlagDefinition.builder("targeted")
                .target("on", "AaAa", "BBBB")
                .fallthrough(Serve.variant("off"))
                .build());
    for (String unit : List.of("AaAa", "BBBB", "AaBB", "BBAa")) {
      assertThat("AaAa".hashCode()).isEqualTo(unit.hashCode());
      assertThat(flags.isEnabled("in-colliding", FlagContext.of(unit)))
          .as(unit)
          .isEqualTo(listed.contains(unit));
      assertThat(flags.isEnabled("targeted", FlagContext.of(unit)))
          .as(unit)
          .isEqualTo(unit.equals("AaAa") || unit.equals("BBBB"));
    }
    assertThat(flags.isEnabled("in-colliding", FlagContext.of("someone"))).isFalse();
  }

  @Test
  void numbersDatesAndVersionsAreParsedOncePerContext() {
    FlagContext context =
        FlagContext.builder("u")
            .attribute("age", "42")
            .attribute("signedUp", "2026-03-01T10:00:00Z")
            .attribute("version", "3.1.4")
            .attribute("plan", "pro")
            .build();
    FlagContext.Attribute age = context.slot("age", false);
    assertThat(age.number()).isEqualTo(42);
    FlagContext.Attribute signedUp = context.slot("signedUp", false);
    assertThat(signedUp.instant()).isSameAs(signedUp.instant());
    FlagContext.Attribute version = context.slot("version", false);
    assertThat(version.version()).isSameAs(version.version());
    FlagContext.Attribute plan = context.slot("plan", false);
    assertThat(plan.number()).isNaN();
    assertThat(plan.instant()).as("text that is not a date is refused by a scan").isNull();

    flags.admin().create(rule("adults", "age", "gte", "18"));
    flags.admin().create(rule("early", "signedUp", "before", "2026-06-01T00:00:00+02:00"));
    flags.admin().create(rule("modern", "version", "semver_gt", "3.1.4-rc.1"));
    for (int i = 0; i < 3; i++) {
      assertThat(flags.isEnabled("adults", context)).isTrue();
      assertThat(flags.isEnabled("early", context)).isTrue();
      assertThat(flags.isEnabled("modern", context)).isTrue();
    }
  }

  @Test
  void jsonValuesCannotBeChangedByACaller() {
    Map<String, Object> layout = new LinkedHashMap<>();
    layout.put("columns", new ArrayList<>(List.of(1, 2)));
    layout.put("theme", new LinkedHashMap<>(Map.of("dark", true)));
    flags
        .admin()
        .create(
            FlagDefinition.builder("layout")
                .variant("wide", layout)
                .variant("narrow", Map.of("columns", List.of(1)))
                .offVariant("narrow")
                .build());
    layout.put("columns", List.of());

    Object value = flags.evaluate("layout", FlagContext.of("alice")).value();
    @SuppressWarnings("unchecked")
    Map<String, Object> got = (Map<String, Object>) value;
    assertThatThrownBy(() -> got.put("columns", List.of(9)))
        .isInstanceOf(UnsupportedOperationException.class);
    @SuppressWarnings("unchecked")
    List<Object> columns = (List<Object>) got.get("columns");
    assertThatThrownBy(() -> columns.add(3)).isInstanceOf(UnsupportedOperationException.class);
    assertThat(flags.jsonValue("layout", FlagContext.of("bob"), Map.of()))
        .isEqualTo(Map.of("columns", List.of(1, 2), "theme", Map.of("dark", true)));
    assertThatThrownBy(
            () ->
                FlagDefinition.builder("bad")
                    .variant("a", new java.util.concurrent.atomic.AtomicLong())
                    .variant("b", new java.util.concurrent.atomic.AtomicLong())
                    .offVariant("b")
                    .build())
        .hasMessageContaining("variants.a: must be a boolean, a string, a number or JSON");
  }

  @Test
  void typedReadsFollowTheFlagsDeclaredType() {
    flags
        .admin()
        .create(
            FlagDefinition.builder("limit")
                .variant("low", 10)
                .variant("high", 5_000_000_000L)
                .offVariant("low")
                .build());
    flags
        .admin()
        .create(
            FlagDefinition.builder("ratio")
                .variant("a", 0.5)
                .variant("b", 2)
                .offVariant("a")
                .build());
    flags
        .admin()
        .create(
            FlagDefinition.builder("page-size")
                .variant("s", 10)
                .variant("l", 50.0)
                .offVariant("s")
                .build());
    flags
        .admin()
        .create(
            FlagDefinition.builder("greeting")
                .variant("hi", "hello")
                .variant("yo", "hey")
                .offVariant("hi")
                .build());
    FlagContext u = FlagContext.of("u");

    assertThat(flags.longValue("limit", u, -1)).isEqualTo(5_000_000_000L);
    assertThat(flags.intValue("limit", u, -1)).as("beyond an int").isEqualTo(-1);
    assertThat(flags.intValue("page-size", u, -1)).as("50.0 is a whole number").isEqualTo(50);
    assertThat(flags.doubleValue("ratio", u, -1)).isEqualTo(2.0);
    assertThat(flags.intValue("ratio", u, -1))
        .as("0.5 is not an int, whatever u gets")
        .isEqualTo(-1);
    assertThat(flags.stringValue("greeting", u, "?")).isEqualTo("hey");
    assertThat(flags.stringValue("limit", u, "?")).isEqualTo("?");
    assertThat(flags.jsonValue("greeting", u, List.of())).isEqualTo(List.of());
    assertThat(flags.doubleValue("nope", u, 7)).isEqualTo(7);
    assertThat(flags.snapshot().type("ratio")).contains(FlagType.NUMBER);
    assertThat(flags.snapshot().type("limit")).contains(FlagType.INTEGER);
  }

  @Test
  void aFlagThatAsksNothingOfTheUnitIsStatic() {
    flags.admin().create(FlagDefinition.on("plain"));
    flags.admin().create(FlagDefinition.rollout("partial", 50));
    flags.admin().create(rule("ruled", "plan", "in", "pro"));
    assertThat(flags.evaluate("plain", FlagContext.of("u")).reason()).isEqualTo(Reason.STATIC);
    assertThat(flags.evaluate("partial", FlagContext.of("u")).reason())
        .isIn(Reason.SPLIT, Reason.SPLIT_OUT);
    assertThat(flags.evaluate("ruled", FlagContext.of("u")).reason()).isEqualTo(Reason.DEFAULT);
    assertThat(flags.evaluate("plain", FlagContext.of("u")).version())
        .isEqualTo(flags.snapshot().version("plain").orElseThrow());
  }
}
