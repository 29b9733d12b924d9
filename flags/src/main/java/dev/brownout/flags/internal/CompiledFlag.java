package dev.brownout.flags.internal;

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
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A validated definition turned into what evaluation needs: every possible result is built here,
 * once, so evaluating allocates nothing and cannot fail.
 */
public final class CompiledFlag {
  private static final int MAX_PREREQUISITE_DEPTH = 16;

  private final FlagDefinition definition;
  private final long version;
  private final boolean enabled;
  private final FlagEvaluation disabled;
  private final FlagEvaluation prerequisiteFailed;
  private final String[] prerequisiteFlags;
  private final String[] prerequisiteVariants;
  private final Map<String, FlagEvaluation> targets;
  private final CompiledRule[] rules;
  private final CompiledServe fallthrough;
  private final Class<?> valueKind;
  private final List<FlagEvaluation> outcomes = new ArrayList<>();

  private record CompiledRule(CompiledCondition[] conditions, CompiledServe serve) {}

  private record CompiledCondition(
      String attribute,
      Operator operator,
      String[] texts,
      double[] numbers,
      Operator.Semver[] versions,
      Instant[] instants) {
    boolean matches(FlagContext context) {
      String value = context.attribute(attribute);
      if (value == null) {
        return operator == Operator.NOT_IN;
      }
      switch (operator) {
        case IN, NOT_IN -> {
          boolean found = false;
          for (String text : texts) {
            if (text.equals(value)) {
              found = true;
              break;
            }
          }
          return operator == Operator.IN ? found : !found;
        }
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

  /** A fixed variant, or a rollout with its precomputed results. */
  private record CompiledServe(
      @Nullable FlagEvaluation fixed,
      int threshold,
      Murmur3.@Nullable Prefix rolloutPrefix,
      Murmur3.@Nullable Prefix variantPrefix,
      String bucketBy,
      int[] cumulative,
      FlagEvaluation[] in,
      FlagEvaluation out) {
    void collect(List<FlagEvaluation> into) {
      if (fixed != null) {
        into.add(fixed);
      } else {
        into.addAll(List.of(in));
        into.add(out);
      }
    }

    FlagEvaluation serve(FlagContext context) {
      if (fixed != null) {
        return fixed;
      }
      String unit = context.attribute(bucketBy);
      if (unit == null || rolloutPrefix.bucket(unit) >= threshold) {
        return out;
      }
      if (in.length == 1) {
        return in[0];
      }
      int bucket = variantPrefix.bucket(unit);
      for (int i = 0; i < cumulative.length; i++) {
        if (bucket < cumulative[i]) {
          return in[i];
        }
      }
      return in[in.length - 1];
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
    this.disabled = new FlagEvaluation(key, off, value.apply(off), Reason.DISABLED, null);
    this.prerequisiteFailed =
        new FlagEvaluation(key, off, value.apply(off), Reason.PREREQUISITE_FAILED, null);
    List<FlagDefinition.Prerequisite> prerequisites =
        definition.prerequisites() == null ? List.of() : definition.prerequisites();
    this.prerequisiteFlags =
        prerequisites.stream().map(FlagDefinition.Prerequisite::flag).toArray(String[]::new);
    this.prerequisiteVariants =
        prerequisites.stream().map(FlagDefinition.Prerequisite::variant).toArray(String[]::new);
    Map<String, FlagEvaluation> targetMap = new HashMap<>();
    if (definition.targets() != null) {
      for (FlagDefinition.Target target : definition.targets()) {
        FlagEvaluation result =
            new FlagEvaluation(
                key, target.variant(), value.apply(target.variant()), Reason.TARGETING_MATCH, null);
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
                conditions, compile(definition, rule.serve(), Reason.RULE, rule.id())));
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
    this.fallthrough = compile(definition, fallthroughServe, Reason.DEFAULT, null);
    outcomes.add(disabled);
    outcomes.add(prerequisiteFailed);
    outcomes.addAll(new HashSet<>(targets.values()));
    for (CompiledRule rule : rules) {
      rule.serve().collect(outcomes);
    }
    fallthrough.collect(outcomes);
  }

  private FlagEvaluation[] counted = new FlagEvaluation[0];
  private LongAdder[] counts = new LongAdder[0];

  /**
   * Gives each possible result its count, once, before this flag is published in a snapshot (the
   * publication's volatile write makes the arrays visible to evaluating threads).
   */
  public void bindCounts(Function<FlagEvaluation, LongAdder> countFor) {
    FlagEvaluation[] results = outcomes.toArray(new FlagEvaluation[0]);
    LongAdder[] adders = new LongAdder[results.length];
    for (int i = 0; i < results.length; i++) {
      adders[i] = countFor.apply(results[i]);
    }
    this.counts = adders;
    this.counted = results;
  }

  /** Counts one evaluation that returned {@code result}: no lookup, no allocation. */
  public void count(FlagEvaluation result) {
    FlagEvaluation[] results = counted;
    for (int i = 0; i < results.length; i++) {
      if (results[i] == result) {
        counts[i].increment();
        return;
      }
    }
  }

  /** Every result this flag can return, for per-result meters. */
  public List<FlagEvaluation> outcomes() {
    return List.copyOf(outcomes);
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
    return new CompiledCondition(
        condition.attribute(),
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
      @Nullable String ruleId) {
    String key = definition.key();
    Map<String, Object> variants = definition.variantsOrDefault();
    String off = definition.offVariantOrDefault();
    if (serve.variant() != null) {
      return new CompiledServe(
          new FlagEvaluation(key, serve.variant(), variants.get(serve.variant()), reason, ruleId),
          0,
          null,
          null,
          "",
          new int[0],
          new FlagEvaluation[0],
          new FlagEvaluation(key, off, variants.get(off), reason, ruleId));
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
    FlagEvaluation[] results = new FlagEvaluation[weights.size()];
    long running = 0;
    int i = 0;
    for (Map.Entry<String, Integer> weight : weights.entrySet()) {
      running += weight.getValue();
      cumulative[i] = (int) (running * Bucketing.BUCKETS / total);
      results[i] =
          new FlagEvaluation(key, weight.getKey(), variants.get(weight.getKey()), in, ruleId);
      i++;
    }
    String otherwise = rollout.otherwise() == null ? off : rollout.otherwise();
    return new CompiledServe(
        null,
        Bucketing.threshold(rollout.percentage() == null ? 100 : rollout.percentage()),
        Murmur3.Prefix.of(rollout.salt() == null ? key : rollout.salt(), Bucketing.ROLLOUT_SEED),
        Murmur3.Prefix.of(rollout.salt() == null ? key : rollout.salt(), Bucketing.VARIANT_SEED),
        rollout.bucketBy() == null ? "key" : rollout.bucketBy(),
        cumulative,
        results,
        new FlagEvaluation(
            key,
            otherwise,
            variants.get(otherwise),
            reason == Reason.RULE ? Reason.RULE : Reason.SPLIT_OUT,
            ruleId));
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
    return evaluate(context, flags, 0);
  }

  private FlagEvaluation evaluate(
      FlagContext context, Function<String, @Nullable CompiledFlag> flags, int depth) {
    if (!enabled) {
      return disabled;
    }
    for (int i = 0; i < prerequisiteFlags.length; i++) {
      CompiledFlag prerequisite = flags.apply(prerequisiteFlags[i]);
      if (prerequisite == null || depth >= MAX_PREREQUISITE_DEPTH) {
        return prerequisiteFailed;
      }
      if (!prerequisiteVariants[i].equals(
          prerequisite.evaluate(context, flags, depth + 1).variant())) {
        return prerequisiteFailed;
      }
    }
    if (!targets.isEmpty()) {
      FlagEvaluation target = targets.get(context.key());
      if (target != null) {
        return target;
      }
    }
    for (CompiledRule rule : rules) {
      boolean all = true;
      for (CompiledCondition condition : rule.conditions()) {
        if (!condition.matches(context)) {
          all = false;
          break;
        }
      }
      if (all) {
        return rule.serve().serve(context);
      }
    }
    return fallthrough.serve(context);
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
