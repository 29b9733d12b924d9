package dev.brownout.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Layer precedence and whole-config validation, over generated layer contents. */
class ConfigLayeringProperties {
  private static final List<ConfigKey<Integer>> KEYS = new ArrayList<>();

  static {
    for (int i = 0; i < 6; i++) {
      KEYS.add(
          ConfigKey.of("brownout.test.key-" + i, ValueType.integer(0, 1000))
              .defaultValue(i)
              .doc("test key " + i)
              .build());
    }
  }

  /** The value of one key in each of the five layers, absent or a number. */
  record Layers(
      Optional<Integer> file,
      Optional<Integer> env,
      Optional<Integer> sysprop,
      Optional<Integer> codeText,
      Optional<Integer> codeTyped) {}

  @Provide
  Arbitrary<List<Layers>> layers() {
    Arbitrary<Optional<Integer>> slot = Arbitraries.integers().between(0, 1000).optional(0.5);
    return Combinators.combine(slot, slot, slot, slot, slot)
        .as(Layers::new)
        .list()
        .ofSize(KEYS.size());
  }

  @Property(tries = 200)
  void theHighestLayerThatSetsAKeyWinsElseTheDefault(@ForAll("layers") List<Layers> perKey)
      throws Exception {
    Path file = Files.createTempFile("brownout", ".properties");
    try {
      Properties fileProps = new Properties();
      Map<String, String> env = new HashMap<>();
      Properties sysprops = new Properties();
      BrownoutConfig.Builder builder = BrownoutConfig.builder().declare(KEYS);
      for (int i = 0; i < KEYS.size(); i++) {
        ConfigKey<Integer> key = KEYS.get(i);
        Layers layers = perKey.get(i);
        layers.file().ifPresent(v -> fileProps.setProperty(key.name(), v.toString()));
        layers.env().ifPresent(v -> env.put(key.environmentVariable(), v.toString()));
        layers.sysprop().ifPresent(v -> sysprops.setProperty(key.name(), v.toString()));
        layers.codeText().ifPresent(v -> builder.set(key.name(), " " + v + " "));
        layers.codeTyped().ifPresent(v -> builder.set(key, v));
      }
      try (var out = Files.newBufferedWriter(file)) {
        fileProps.store(out, null);
      }
      BrownoutConfig config =
          builder.propertiesFile(file).environment(env).systemProperties(sysprops).build();

      for (int i = 0; i < KEYS.size(); i++) {
        Layers layers = perKey.get(i);
        int expected =
            layers
                .codeTyped()
                .or(layers::codeText)
                .or(layers::sysprop)
                .or(layers::env)
                .or(layers::file)
                .orElse(i);
        assertThat(config.get(KEYS.get(i))).as(KEYS.get(i).name()).isEqualTo(expected);
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Provide
  Arbitrary<Map<Integer, String>> badOrGoodValues() {
    Arbitrary<String> good = Arbitraries.integers().between(0, 1000).map(String::valueOf);
    Arbitrary<String> bad =
        Arbitraries.oneOf(
            Arbitraries.integers().between(1001, Integer.MAX_VALUE).map(String::valueOf),
            Arbitraries.integers().between(Integer.MIN_VALUE, -1).map(String::valueOf),
            Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8),
            Arbitraries.of("1.5", "0x10", "", "  ", "12abc"));
    return Arbitraries.maps(
            Arbitraries.integers().between(0, KEYS.size() - 1),
            Arbitraries.oneOf(good.map(v -> "ok:" + v), bad.map(v -> "bad:" + v)))
        .ofMaxSize(KEYS.size());
  }

  @Property(tries = 300)
  void validationReportsEveryBadKeyAtOnceAndNothingElse(
      @ForAll("badOrGoodValues") Map<Integer, String> values) {
    Map<String, String> env = new HashMap<>();
    List<String> expectedBad = new ArrayList<>();
    values.forEach(
        (index, tagged) -> {
          ConfigKey<Integer> key = KEYS.get(index);
          String text = tagged.substring(tagged.indexOf(':') + 1);
          env.put(key.environmentVariable(), text);
          if (tagged.startsWith("bad:")) {
            expectedBad.add(key.name());
          }
        });
    BrownoutConfig.Builder builder = BrownoutConfig.builder().declare(KEYS).environment(env);
    if (expectedBad.isEmpty()) {
      BrownoutConfig config = builder.build();
      values.forEach(
          (index, tagged) ->
              assertThat(config.get(KEYS.get(index)))
                  .isEqualTo(Integer.valueOf(tagged.substring(3))));
      return;
    }
    assertThatThrownBy(builder::build)
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> {
              assertThat(e.problems())
                  .extracting(ConfigProblem::key)
                  .containsExactlyInAnyOrderElementsOf(expectedBad);
              for (ConfigProblem problem : e.problems()) {
                assertThat(problem.origin()).startsWith("environment variable BROWNOUT_TEST_KEY_");
                assertThat(problem.message()).contains("an integer between 0 and 1000");
                assertThat(e.getMessage()).contains(problem.key());
              }
            });
  }

  @Property(tries = 200)
  void durationsRoundTripThroughTheirText(@ForAll("durations") java.time.Duration duration) {
    ValueType<java.time.Duration> type =
        ValueType.duration(java.time.Duration.ZERO, java.time.Duration.ofDays(3650));
    assertThat(type.parse(type.format(duration))).isEqualTo(duration);
  }

  @Provide
  Arbitrary<java.time.Duration> durations() {
    return Arbitraries.longs().between(0, 315_360_000_000L).map(java.time.Duration::ofMillis);
  }

  @Property(tries = 500)
  void anyTextParsesToAValueOrAnIllegalArgumentExceptionNamingTheExpectation(@ForAll String text) {
    for (ValueType<?> type :
        List.of(
            ValueType.integer(0, 10),
            ValueType.bool(),
            ValueType.duration(java.time.Duration.ZERO, java.time.Duration.ofHours(1)),
            ValueType.uri(),
            ValueType.list(ValueType.integer(0, 10)),
            ValueType.decimal(0, 1))) {
      try {
        type.parse(text.trim());
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).startsWith("expected " + type.expectation());
      }
    }
  }
}
