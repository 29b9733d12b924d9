package dev.brownout.flags;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.brownout.core.json.CodecException;
import dev.brownout.core.json.JsonCodec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A flag as stored and as sent to the admin API (wire format version 1). Only {@code key} is
 * required: a flag with nothing else is a boolean flag that is on for everyone.
 *
 * <pre>{@code
 * {
 *   "key": "new-checkout",
 *   "description": "The one-page checkout",
 *   "enabled": true,
 *   "prerequisites": [{"flag": "payments-v2", "variant": "on"}],
 *   "targets": [{"variant": "on", "units": ["alice", "bob"]}],
 *   "rules": [{"id": "beta", "conditions": [{"attribute": "plan", "operator": "in", "values": ["beta"]}],
 *              "serve": {"variant": "on"}}],
 *   "fallthrough": {"rollout": {"percentage": 30}}
 * }
 * }</pre>
 *
 * Evaluation order: {@code enabled} (false is the kill switch: everyone gets {@code offVariant}),
 * then prerequisites, then targets, then rules in order, then the fallthrough.
 *
 * @param key lower-case letters, digits, {@code .}, {@code _} and {@code -}; at most 128 characters
 * @param description what the flag is for
 * @param enabled false turns the flag off for everyone, whatever the rules say
 * @param variants variant names to values (all booleans, all strings, all numbers, or all JSON);
 *     default {@code {"on": true, "off": false}}
 * @param offVariant the variant served when the flag is off; default {@code off}
 * @param prerequisites flags that must serve a given variant first
 * @param targets units that get a given variant, before any rule
 * @param rules attribute rules, first match wins
 * @param fallthrough what everyone else gets; default the first variant that is not {@code
 *     offVariant}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FlagDefinition(
    String key,
    @Nullable String description,
    @Nullable Boolean enabled,
    @Nullable Map<String, Object> variants,
    @Nullable String offVariant,
    @Nullable List<Prerequisite> prerequisites,
    @Nullable List<Target> targets,
    @Nullable List<Rule> rules,
    @Nullable Serve fallthrough) {

  /**
   * Copies every list and map, and JSON variant values all the way down, so that a definition, and
   * every value an evaluation hands out, never changes once made.
   */
  public FlagDefinition {
    variants = Frozen.values(variants);
    prerequisites = Frozen.list(prerequisites);
    targets = Frozen.list(targets);
    rules = Frozen.list(rules);
  }

  /** The default variants of a boolean flag. */
  public static final Map<String, Object> BOOLEAN_VARIANTS = booleans();

  private static Map<String, Object> booleans() {
    Map<String, Object> variants = new LinkedHashMap<>();
    variants.put("on", true);
    variants.put("off", false);
    return Collections.unmodifiableMap(variants);
  }

  /** A boolean flag that is on for everyone. */
  public static FlagDefinition on(String key) {
    return new FlagDefinition(key, null, true, null, null, null, null, null, null);
  }

  /** A boolean flag on for {@code percentage} percent of units. */
  public static FlagDefinition rollout(String key, double percentage) {
    return new FlagDefinition(
        key, null, true, null, null, null, null, null, Serve.rollout(percentage));
  }

  /**
   * Reads one definition from its JSON (the admin API's and the store's format) and validates it.
   *
   * @throws InvalidFlagException naming every problem: JSON that does not parse or does not fit the
   *     format, or a definition that breaks a rule (an unknown variant, a percentage over 100)
   */
  public static FlagDefinition fromJson(String json) {
    FlagDefinition definition = decode(json, FlagDefinition.class);
    definition.validate();
    return definition;
  }

  /**
   * Reads a JSON array of definitions: the bootstrap file's format, and what {@code GET
   * /api/v1/flags} lists.
   *
   * @throws InvalidFlagException naming every problem of the first invalid definition
   */
  public static List<FlagDefinition> listFromJson(String json) {
    FlagDefinition[] definitions = decode(json, FlagDefinition[].class);
    Set<String> keys = new HashSet<>();
    for (FlagDefinition definition : definitions) {
      if (definition == null) {
        throw new InvalidFlagException("(none)", List.of("the array holds a null"));
      }
      definition.validate();
      if (!keys.add(definition.key())) {
        throw new InvalidFlagException(
            definition.key(), List.of("the array defines '" + definition.key() + "' twice"));
      }
    }
    return List.of(definitions);
  }

  private static <T> T decode(String json, Class<T> type) {
    Objects.requireNonNull(json, "json");
    T value;
    try {
      value = JsonCodec.standard().decode(json, type);
    } catch (CodecException e) {
      throw new InvalidFlagException("(unreadable)", List.of(e.getMessage()));
    }
    if (value == null) {
      throw new InvalidFlagException("(none)", List.of("the JSON is null"));
    }
    return value;
  }

  /** This definition as JSON, the format {@link #fromJson(String)} reads. */
  public String toJson() {
    return JsonCodec.standard().encodeToString(this);
  }

  /** Definitions as a JSON array, the format of the bootstrap file. */
  public static String toJson(List<FlagDefinition> definitions) {
    return JsonCodec.standard().encodeToString(definitions);
  }

  /**
   * Checks the definition as the store and the admin API do.
   *
   * @throws InvalidFlagException naming every problem
   */
  public void validate() {
    List<String> problems = FlagValidator.problems(this);
    if (!problems.isEmpty()) {
      throw new InvalidFlagException(String.valueOf(key), problems);
    }
  }

  /** Starts a definition of the flag {@code key}: a boolean flag, on for everyone, until told. */
  public static Builder builder(String key) {
    return new Builder(key);
  }

  /** Whether the flag is enabled (not killed). */
  public boolean isEnabled() {
    return enabled == null || enabled;
  }

  /** The variants, defaulted. */
  public Map<String, Object> variantsOrDefault() {
    return variants == null || variants.isEmpty() ? BOOLEAN_VARIANTS : variants;
  }

  /** The off variant, defaulted. */
  public String offVariantOrDefault() {
    return offVariant == null ? "off" : offVariant;
  }

  /** This definition with {@code enabled} set. */
  public FlagDefinition withEnabled(boolean on) {
    return new FlagDefinition(
        key, description, on, variants, offVariant, prerequisites, targets, rules, fallthrough);
  }

  /** This definition with another fallthrough. */
  public FlagDefinition withFallthrough(Serve serve) {
    return new FlagDefinition(
        key, description, enabled, variants, offVariant, prerequisites, targets, rules, serve);
  }

  /**
   * This definition with its fallthrough rollout set to {@code percentage}, keeping its other
   * settings.
   */
  public FlagDefinition withRolloutPercentage(double percentage) {
    Serve serve = fallthrough;
    if (serve != null && serve.rollout() != null) {
      Rollout r = serve.rollout();
      return withFallthrough(
          new Serve(
              null, new Rollout(percentage, r.variants(), r.otherwise(), r.bucketBy(), r.salt())));
    }
    return withFallthrough(Serve.rollout(percentage));
  }

  /** This definition with other targets. */
  public FlagDefinition withTargets(List<Target> newTargets) {
    return new FlagDefinition(
        key,
        description,
        enabled,
        variants,
        offVariant,
        prerequisites,
        newTargets,
        rules,
        fallthrough);
  }

  /**
   * Another flag that must serve {@code variant} for this one to be evaluated further; otherwise
   * this flag serves its off variant.
   *
   * @param flag the other flag's key
   * @param variant the variant it must serve
   */
  public record Prerequisite(String flag, String variant) {}

  /**
   * Units that get {@code variant}, whatever the rules say.
   *
   * @param variant the variant they get
   * @param units context keys
   */
  public record Target(String variant, List<String> units) {
    /** Copies the units. */
    public Target {
      units = Frozen.list(units);
    }
  }

  /**
   * A rule: if every condition holds, serve.
   *
   * @param id a name for the rule, reported as the evaluation's reason
   * @param conditions all must hold
   * @param serve what to serve
   */
  public record Rule(String id, List<Condition> conditions, Serve serve) {
    /** Copies the conditions. */
    public Rule {
      conditions = Frozen.list(conditions);
    }
  }

  /**
   * A test of one context attribute. The key itself is the attribute {@code key}.
   *
   * @param attribute the attribute; not read by the segment operators
   * @param operator {@code in}, {@code not_in}, {@code starts_with}, {@code ends_with}, {@code
   *     contains}, {@code lt}, {@code lte}, {@code gt}, {@code gte} (numbers), {@code semver_lt},
   *     {@code semver_lte}, {@code semver_eq}, {@code semver_gte}, {@code semver_gt} (semantic
   *     versions, pre-releases ordered as semver.org orders them), {@code before}, {@code after}
   *     (ISO-8601 instants), {@code in_segment}, {@code not_in_segment} (segment keys)
   * @param values what to compare with; the condition holds if it holds for any of them ({@code
   *     not_in}, {@code not_in_segment}: for none)
   */
  public record Condition(String attribute, String operator, List<String> values) {
    /** Copies the values. */
    public Condition {
      values = Frozen.list(values);
    }

    /** A condition that holds for units in any of {@code segments}. */
    public static Condition inSegment(String... segments) {
      return new Condition("segment", "in_segment", List.of(segments));
    }
  }

  /**
   * What to serve: exactly one of a variant or a rollout.
   *
   * @param variant a variant for everyone matched
   * @param rollout a percentage of units, split among variants
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Serve(@Nullable String variant, @Nullable Rollout rollout) {
    /** Serve one variant. */
    public static Serve variant(String name) {
      return new Serve(name, null);
    }

    /** Serve the first non-off variant to {@code percentage} percent of units. */
    public static Serve rollout(double percentage) {
      return new Serve(null, new Rollout(percentage, null, null, null, null));
    }
  }

  /**
   * A sticky percentage rollout.
   *
   * @param percentage the share of units in the rollout, 0 to 100 in steps of 0.001
   * @param variants variant names to relative weights, for units in the rollout; default the first
   *     variant that is not the off variant
   * @param otherwise the variant for units outside the rollout; default the off variant
   * @param bucketBy the context attribute that identifies a unit; default {@code key}
   * @param salt the bucketing salt; default the flag key (flags with the same salt share cohorts)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Rollout(
      @Nullable Double percentage,
      @Nullable Map<String, Integer> variants,
      @Nullable String otherwise,
      @Nullable String bucketBy,
      @Nullable String salt) {
    /** Copies the weights. */
    public Rollout {
      variants = Frozen.map(variants);
    }
  }

  /**
   * Builds a {@link FlagDefinition}, checked as a whole when built.
   *
   * <pre>{@code
   * FlagDefinition flag =
   *     FlagDefinition.builder("new-checkout")
   *         .description("The one-page checkout")
   *         .target("on", "alice", "bob")
   *         .rule("beta", Serve.variant("on"), new Condition("plan", "in", List.of("beta")))
   *         .rollout(30)
   *         .build();
   * }</pre>
   */
  public static final class Builder {
    private final String key;
    private @Nullable String description;
    private boolean enabled = true;
    private final Map<String, Object> variants = new LinkedHashMap<>();
    private @Nullable String offVariant;
    private final List<Prerequisite> prerequisites = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();
    private final List<Rule> rules = new ArrayList<>();
    private @Nullable Serve fallthrough;

    private Builder(String key) {
      this.key = Objects.requireNonNull(key, "key");
    }

    /** What the flag is for. */
    public Builder description(String text) {
      this.description = Objects.requireNonNull(text, "text");
      return this;
    }

    /** False is the kill switch: everyone gets the off variant. Default true. */
    public Builder enabled(boolean on) {
      this.enabled = on;
      return this;
    }

    /**
     * Adds a variant. Without any, the flag is boolean ({@code on} and {@code off}). Values are all
     * booleans, all strings, all numbers or all JSON (maps and lists).
     */
    public Builder variant(String name, Object value) {
      variants.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Adds variants, in the map's order (see {@link #variant(String, Object)}). */
    public Builder variants(Map<String, ?> named) {
      named.forEach(this::variant);
      return this;
    }

    /** The variant served when the flag is off; default {@code off}. */
    public Builder offVariant(String name) {
      this.offVariant = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Requires flag {@code flag} to serve {@code variant} first. */
    public Builder prerequisite(String flag, String variant) {
      prerequisites.add(new Prerequisite(flag, variant));
      return this;
    }

    /** Gives {@code units} the variant {@code variant}, before any rule. */
    public Builder target(String variant, String... units) {
      targets.add(new Target(variant, List.of(units)));
      return this;
    }

    /** Adds a rule, after those added before: if every condition holds, serve. */
    public Builder rule(String id, Serve serve, Condition... conditions) {
      rules.add(new Rule(id, List.of(conditions), serve));
      return this;
    }

    /** What everyone else gets; default the first variant that is not the off variant. */
    public Builder fallthrough(Serve serve) {
      this.fallthrough = Objects.requireNonNull(serve, "serve");
      return this;
    }

    /** Everyone else: the first non-off variant for {@code percentage} percent of units. */
    public Builder rollout(double percentage) {
      return fallthrough(Serve.rollout(percentage));
    }

    /**
     * Builds and validates the definition.
     *
     * @throws InvalidFlagException naming every problem
     */
    public FlagDefinition build() {
      FlagDefinition definition =
          new FlagDefinition(
              key,
              description,
              enabled,
              variants.isEmpty()
                  ? null
                  : Collections.unmodifiableMap(new LinkedHashMap<>(variants)),
              offVariant,
              prerequisites.isEmpty() ? null : List.copyOf(prerequisites),
              targets.isEmpty() ? null : List.copyOf(targets),
              rules.isEmpty() ? null : List.copyOf(rules),
              fallthrough);
      definition.validate();
      return definition;
    }
  }
}
