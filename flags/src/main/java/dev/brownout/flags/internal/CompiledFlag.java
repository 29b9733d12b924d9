package dev.brownout.flags.internal;

import dev.brownout.core.metrics.ThreadSlotCounter;
import dev.brownout.flags.Bucketing;
import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.FlagEvaluation;
import dev.brownout.flags.FlagEvaluation.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A validated definition turned into what evaluation needs: every possible result is built here,
 * once, and numbered, so evaluating picks a number (allocating nothing, never failing) and counting
 * it is an array index.
 */
public final class CompiledFlag {
  private static final int MAX_PREREQUISITE_DEPTH = 16;

  private final FlagDefinition definition;
  private final long version;
  private static final int DISABLED = 0;
  private static final int PREREQUISITE_FAILED = 1;

  private final boolean enabled;
  private final String[] prerequisiteFlags;
  private final String[] prerequisiteVariants;
  private final Map<String, Integer> targets;
  private final CompiledRule[] rules;
  private final CompiledServe fallthrough;
  private final Class<?> valueKind;
  // Every result this flag can return, numbered: evaluation returns an index into this.
  private final FlagEvaluation[] outcomes;
  // Each outcome's value as 1 (true), 0 (false) or NOT_BOOLEAN: isEnabled reads one byte.
  private final byte[] booleans;
  private static final byte NOT_BOOLEAN = 2;

  private record CompiledRule(CompiledCondition[] conditions, CompiledServe serve) {
    boolean matches(FlagContext context) {
      for (CompiledCondition condition : conditions) {
        if (!condition.matches(context)) {
          return false;
        }
      }
      return true;
    }
  }

  private record CompiledCondition(
      String attribute,
      boolean byKey,
      Operator operator,
      String[] texts,
      double[] numbers,
      Operator.Semver[] versions,
      Instant[] instants) {
    // The common operators stay small enough for the JIT to inline into evaluation; the rest
    // (text matching, numbers, dates, versions) are a call away.
    boolean matches(FlagContext context) {
      String value = byKey ? context.attribute(attribute) : context.attributes().get(attribute);
      if (value == null) {
        return operator == Operator.NOT_IN;
      }
      if (operator == Operator.IN) {
        return isListed(value);
      }
      if (operator == Operator.NOT_IN) {
        return !isListed(value);
      }
      return matchesOther(value);
    }

    private boolean isListed(String value) {
      for (String text : texts) {
        if (text.equals(value)) {
          return true;
        }
      }
      return false;
    }

    private boolean matchesOther(String value) {
      switch (operator) {
        case STARTS_WITH, ENDS_WITH, CONTAINS -> {
          for (String text : texts) {
            boolean hit =
                operator == Operator.STARTS_WITH
                    ? value.startsWith(text)
                    : operator == Operator.ENDS_WITH ? value.endsWith(text) : value.contains(text);
            if (hit) {
              return true;
            }
          }
          return false;
        }
        case LT, LTE, GT, GTE -> {
          Double number = Operator.number(value);
          if (number == null) {
            return false;
          }
          for (double operand : numbers) {
            int c = Double.compare(number, operand);
            if (holds(c)) {
              return true;
            }
          }
          return false;
        }
        case BEFORE, AFTER -> {
          Instant instant = Operator.instant(value);
          if (instant == null) {
            return false;
          }
          for (Instant operand : instants) {
            if (operator == Operator.BEFORE
                ? instant.isBefore(operand)
                : instant.isAfter(operand)) {
              return true;
            }
          }
          return false;
        }
        default -> {
          Operator.Semver version = Operator.Semver.parse(value);
          if (version == null) {
            return false;
          }
          for (Operator.Semver operand : versions) {
            if (holds(version.compareTo(operand))) {
              return true;
            }
          }
          return false;
        }
      }
    }

    private boolean holds(int comparison) {
      return switch (operator) {
        case LT, SEMVER_LT -> comparison < 0;
        case LTE, SEMVER_LTE -> comparison <= 0;
        case GT, SEMVER_GT -> comparison > 0;
        case GTE, SEMVER_GTE -> comparison >= 0;
        case SEMVER_EQ -> comparison == 0;
        default -> false;
      };
    }
  }

  /**
   * A fixed variant ({@code fixed >= 0}), or a rollout with its precomputed results; every result
   * is an index into the flag's outcomes.
   */
  private record CompiledServe(
      int fixed,
      int threshold,
      Murmur3.@Nullable Prefix rolloutPrefix,
      Murmur3.@Nullable Prefix variantPrefix,
      String bucketBy,
      boolean byKey,
      int[] cumulative,
      int[] in,
      int out) {
    int serve(FlagContext context) {
      if (fixed >= 0) {
        return fixed;
      }
      int bucket = bucket(rolloutPrefix, context);
      if (bucket < 0) {
        return out;
      }
      if (in.length == 1) {
        // One variant in. Units fall either side at random, so a branch here would mispredict
        // often; arithmetic instead: inside is 1 when bucket < threshold (both are non-negative).
        int inside = (bucket - threshold) >>> 31;
        return out + inside * (in[0] - out);
      }
      if (bucket >= threshold) {
        return out;
      }
      int variantBucket = bucket(variantPrefix, context);
      for (int i = 0; i < cumulative.length; i++) {
        if (variantBucket < cumulative[i]) {
          return in[i];
        }
      }
      return in[in.length - 1];
    }

    /** The unit's bucket under {@code prefix}, or -1 if the context has no unit to bucket by. */
    private int bucket(Murmur3.Prefix prefix, FlagContext context) {
      if (byKey) {
        byte[] key = ContextAccess.keyUtf8(context);
        return key.length == 0 ? -1 : prefix.bucket(key);
      }
      String unit = context.attribute(bucketBy);
      return unit == null ? -1 : prefix.bucket(unit);
    }
  }

  /**
   * Compiles a definition.
   *
   * @throws dev.brownout.flags.InvalidFlagException if it is invalid
   */
  public CompiledFlag(FlagDefinition definition, long version) {
    List<String> problems = FlagValidator.problems(definition);
    if (!problems.isEmpty()) {
      throw new dev.brownout.flags.InvalidFlagException(String.valueOf(definition.key()), problems);
    }
    this.definition = definition;
    this.version = version;
    this.enabled = definition.isEnabled();
    String key = definition.key();
    Map<String, Object> variants = definition.variantsOrDefault();
    this.valueKind = variants.values().iterator().next().getClass();
    String off = definition.offVariantOrDefault();
    Function<String, Object> value = variants::get;
    List<FlagEvaluation> results = new ArrayList<>();
    results.add(DISABLED, new FlagEvaluation(key, off, value.apply(off), Reason.DISABLED, null));
    results.add(
        PREREQUISITE_FAILED,
        new FlagEvaluation(key, off, value.apply(off), Reason.PREREQUISITE_FAILED, null));
    List<FlagDefinition.Prerequisite> prerequisites =
        definition.prerequisites() == null ? List.of() : definition.prerequisites();
    this.prerequisiteFlags =
        prerequisites.stream().map(FlagDefinition.Prerequisite::flag).toArray(String[]::new);
    this.prerequisiteVariants =
        prerequisites.stream().map(FlagDefinition.Prerequisite::variant).toArray(String[]::new);
    Map<String, Integer> targetMap = new HashMap<>();
    if (definition.targets() != null) {
      for (FlagDefinition.Target target : definition.targets()) {
        int result =
            add(
                results,
                new FlagEvaluation(
                    key,
                    target.variant(),
                    value.apply(target.variant()),
                    Reason.TARGETING_MATCH,
                    null));
        for (String unit : target.units()) {
          targetMap.put(unit, result);
        }
      }
    }
    this.targets = Map.copyOf(targetMap);
    List<CompiledRule> compiledRules = new ArrayList<>();
    if (definition.rules() != null) {
      for (FlagDefinition.Rule rule : definition.rules()) {
        CompiledCondition[] conditions =
            rule.conditions().stream().map(CompiledFlag::compile).toArray(CompiledCondition[]::new);
        compiledRules.add(
            new CompiledRule(
                conditions, compile(definition, rule.serve(), Reason.RULE, rule.id(), results)));
      }
    }
    this.rules = compiledRules.toArray(new CompiledRule[0]);
    FlagDefinition.Serve fallthroughServe =
        definition.fallthrough() != null
            ? definition.fallthrough()
            : FlagDefinition.Serve.variant(
                variants.keySet().stream()
                    .filter(name -> !name.equals(off))
                    .findFirst()
                    .orElse(off));
    this.fallthrough = compile(definition, fallthroughServe, Reason.DEFAULT, null, results);
    this.outcomes = results.toArray(new FlagEvaluation[0]);
    this.booleans = new byte[outcomes.length];
    for (int i = 0; i < outcomes.length; i++) {
      booleans[i] = outcomes[i].value() instanceof Boolean on ? (byte) (on ? 1 : 0) : NOT_BOOLEAN;
    }
  }

  private static int add(List<FlagEvaluation> results, FlagEvaluation result) {
    results.add(result);
    return results.size() - 1;
  }

  private ThreadSlotCounter[] counts = new ThreadSlotCounter[0];

  /**
   * Gives each possible result its count, once, before this flag is published in a snapshot (the
   * publication's volatile write makes the array visible to evaluating threads).
   */
  public void bindCounts(Function<FlagEvaluation, ThreadSlotCounter> countFor) {
    ThreadSlotCounter[] adders = new ThreadSlotCounter[outcomes.length];
    for (int i = 0; i < outcomes.length; i++) {
      adders[i] = countFor.apply(outcomes[i]);
    }
    this.counts = adders;
  }

  /**
   * Evaluates for {@code context} and counts the result (once {@link #bindCounts} has run): no
   * lookup, no allocation. Returns the result's number, for {@link #outcome} and {@link #isOn}.
   */
  public int evaluateAndCount(FlagContext context, Function<String, @Nullable CompiledFlag> flags) {
    int result = evaluate(context, flags, 0);
    ThreadSlotCounter[] counters = counts;
    if (result < counters.length) {
      counters[result].increment();
    }
    return result;
  }

  /** The result numbered {@code result}. */
  public FlagEvaluation outcome(int result) {
    return outcomes[result];
  }

  /**
   * Whether the result numbered {@code result} is {@code true}; {@code otherwise} if this flag's
   * values are not booleans.
   */
  public boolean isOn(int result, boolean otherwise) {
    byte on = booleans[result];
    return on == NOT_BOOLEAN ? otherwise : on == 1;
  }

  /** Every result this flag can return, for per-result meters. */
  public List<FlagEvaluation> outcomes() {
    return List.of(outcomes);
  }

  private static CompiledCondition compile(FlagDefinition.Condition condition) {
    Operator operator = Operator.parse(condition.operator());
    List<String> values = condition.values();
    double[] numbers = new double[0];
    Operator.Semver[] versions = new Operator.Semver[0];
    Instant[] instants = new Instant[0];
    switch (operator) {
      case LT, LTE, GT, GTE -> numbers = values.stream().mapToDouble(Operator::number).toArray();
      case SEMVER_LT, SEMVER_LTE, SEMVER_EQ, SEMVER_GTE, SEMVER_GT ->
          versions = values.stream().map(Operator.Semver::parse).toArray(Operator.Semver[]::new);
      case BEFORE, AFTER ->
          instants = values.stream().map(Operator::instant).toArray(Instant[]::new);
      default -> {}
    }
    // Interned: attribute names in application code are literals, so the context's map lookup
    // usually matches by identity instead of comparing characters.
    return new CompiledCondition(
        condition.attribute().intern(),
        condition.attribute().equals("key"),
        operator,
        values.toArray(new String[0]),
        numbers,
        versions,
        instants);
  }

  private static CompiledServe compile(
      FlagDefinition definition,
      FlagDefinition.Serve serve,
      Reason reason,
      @Nullable String ruleId,
      List<FlagEvaluation> outcomes) {
    String key = definition.key();
    Map<String, Object> variants = definition.variantsOrDefault();
    String off = definition.offVariantOrDefault();
    if (serve.variant() != null) {
      int fixed =
          add(
              outcomes,
              new FlagEvaluation(
                  key, serve.variant(), variants.get(serve.variant()), reason, ruleId));
      return new CompiledServe(fixed, 0, null, null, "", false, new int[0], new int[0], fixed);
    }
    FlagDefinition.Rollout rollout = serve.rollout();
    Reason in = reason == Reason.RULE ? Reason.RULE : Reason.SPLIT;
    Map<String, Integer> weights = rollout.variants();
    if (weights == null || weights.isEmpty()) {
      String first =
          variants.keySet().stream().filter(name -> !name.equals(off)).findFirst().orElse(off);
      weights = Map.of(first, 1);
    }
    long total = weights.values().stream().mapToLong(Integer::longValue).sum();
    int[] cumulative = new int[weights.size()];
    int[] results = new int[weights.size()];
    long running = 0;
    int i = 0;
    for (Map.Entry<String, Integer> weight : weights.entrySet()) {
      running += weight.getValue();
      cumulative[i] = (int) (running * Bucketing.BUCKETS / total);
      results[i] =
          add(
              outcomes,
              new FlagEvaluation(key, weight.getKey(), variants.get(weight.getKey()), in, ruleId));
      i++;
    }
    String otherwise = rollout.otherwise() == null ? off : rollout.otherwise();
    String bucketBy = rollout.bucketBy() == null ? "key" : rollout.bucketBy();
    return new CompiledServe(
        -1,
        Bucketing.threshold(rollout.percentage() == null ? 100 : rollout.percentage()),
        Murmur3.Prefix.of(rollout.salt() == null ? key : rollout.salt(), Bucketing.ROLLOUT_SEED),
        Murmur3.Prefix.of(rollout.salt() == null ? key : rollout.salt(), Bucketing.VARIANT_SEED),
        bucketBy,
        bucketBy.equals("key"),
        cumulative,
        results,
        add(
            outcomes,
            new FlagEvaluation(
                key,
                otherwise,
                variants.get(otherwise),
                reason == Reason.RULE ? Reason.RULE : Reason.SPLIT_OUT,
                ruleId)));
  }

  /** The definition. */
  public FlagDefinition definition() {
    return definition;
  }

  /** The stored version, for ETags. */
  public long version() {
    return version;
  }

  /** The class of the variants' values: Boolean, String, a Number, or a Map/List for JSON. */
  public Class<?> valueKind() {
    return valueKind;
  }

  /** The keys of the flags this one requires. */
  public String[] prerequisiteFlags() {
    return prerequisiteFlags.clone();
  }

  /** Evaluates for {@code context}; prerequisites are looked up with {@code flags}. */
  public FlagEvaluation evaluate(
      FlagContext context, Function<String, @Nullable CompiledFlag> flags) {
    return outcomes[evaluate(context, flags, 0)];
  }

  private int evaluate(
      FlagContext context, Function<String, @Nullable CompiledFlag> flags, int depth) {
    // Kept short, with the less common steps in methods of their own, so that the JIT inlines
    // it into the caller.
    if (!enabled) {
      return DISABLED;
    }
    if (prerequisiteFlags.length > 0 && !prerequisitesHold(context, flags, depth)) {
      return PREREQUISITE_FAILED;
    }
    if (!targets.isEmpty()) {
      Integer target = targets.get(context.key());
      if (target != null) {
        return target;
      }
    }
    for (CompiledRule rule : rules) {
      if (rule.matches(context)) {
        return rule.serve().serve(context);
      }
    }
    return fallthrough.serve(context);
  }

  private boolean prerequisitesHold(
      FlagContext context, Function<String, @Nullable CompiledFlag> flags, int depth) {
    for (int i = 0; i < prerequisiteFlags.length; i++) {
      CompiledFlag prerequisite = flags.apply(prerequisiteFlags[i]);
      if (prerequisite == null || depth >= MAX_PREREQUISITE_DEPTH) {
        return false;
      }
      int served = prerequisite.evaluate(context, flags, depth + 1);
      if (!prerequisiteVariants[i].equals(prerequisite.outcomes[served].variant())) {
        return false;
      }
    }
    return true;
  }

  /** The keys reachable through prerequisites from {@code start} that lead back to it, if any. */
  public static @Nullable List<String> cycle(
      String start, Function<String, @Nullable CompiledFlag> flags) {
    return cycle(start, start, flags, new HashSet<>(), new ArrayList<>());
  }

  private static @Nullable List<String> cycle(
      String start,
      String current,
      Function<String, @Nullable CompiledFlag> flags,
      Set<String> visited,
      List<String> path) {
    CompiledFlag flag = flags.apply(current);
    if (flag == null || !visited.add(current)) {
      return null;
    }
    path.add(current);
    for (String next : flag.prerequisiteFlags) {
      if (next.equals(start)) {
        List<String> found = new ArrayList<>(path);
        found.add(start);
        return found;
      }
      List<String> deeper = cycle(start, next, flags, visited, path);
      if (deeper != null) {
        return deeper;
      }
    }
    path.remove(path.size() - 1);
    return null;
  }
}
