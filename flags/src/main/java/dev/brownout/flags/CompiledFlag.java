package dev.brownout.flags;

import dev.brownout.core.metrics.ThreadSlotCounter;
import dev.brownout.flags.FlagEvaluation.Reason;
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
final class CompiledFlag {
  private static final int MAX_PREREQUISITE_DEPTH = 16;

  private final FlagDefinition definition;
  private final long version;
  private static final int DISABLED = 0;
  private static final int PREREQUISITE_FAILED = 1;

  private final boolean enabled;
  private final String[] prerequisiteFlags;
  private final String[] prerequisiteVariants;
  private final UnitTable targets;
  private final CompiledRule[] rules;
  private final CompiledServe fallthrough;
  private final Class<?> valueClass;
  private final FlagType kind;
  private final boolean fitsInt;
  private final Set<String> segmentKeys;
  // Every result this flag can return, numbered: evaluation returns an index into this.
  private final FlagEvaluation[] outcomes;
  // Each outcome's value as 1 (true), 0 (false) or NOT_BOOLEAN: isEnabled reads one byte.
  private final byte[] booleans;
  private static final byte NOT_BOOLEAN = 2;

  /**
   * Compiles a definition; the segments its rules name are looked up with {@code segments}, which
   * gives {@link CompiledSegment#MISSING} for one that does not exist (nobody is in it).
   *
   * @throws InvalidFlagException if it is invalid
   */
  CompiledFlag(
      FlagDefinition definition, long version, Function<String, CompiledSegment> segments) {
    List<String> problems = FlagValidator.problems(definition);
    if (!problems.isEmpty()) {
      throw new InvalidFlagException(String.valueOf(definition.key()), problems);
    }
    this.definition = definition;
    this.version = version;
    this.enabled = definition.isEnabled();
    String key = definition.key();
    Map<String, Object> variants = definition.variantsOrDefault();
    this.valueClass = variants.values().iterator().next().getClass();
    this.kind = kindOf(variants.values());
    this.fitsInt =
        kind == FlagType.INTEGER
            && variants.values().stream()
                .allMatch(
                    v -> {
                      double d = ((Number) v).doubleValue();
                      return d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE;
                    });
    String off = definition.offVariantOrDefault();
    Function<String, Object> value = variants::get;
    List<FlagEvaluation> results = new ArrayList<>();
    results.add(
        DISABLED, new FlagEvaluation(key, off, value.apply(off), Reason.DISABLED, null, version));
    results.add(
        PREREQUISITE_FAILED,
        new FlagEvaluation(key, off, value.apply(off), Reason.PREREQUISITE_FAILED, null, version));
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
                    null,
                    version));
        for (String unit : target.units()) {
          targetMap.put(unit, result);
        }
      }
    }
    this.targets = UnitTable.of(targetMap);
    List<CompiledRule> compiledRules = new ArrayList<>();
    Set<String> referenced = new HashSet<>();
    if (definition.rules() != null) {
      for (FlagDefinition.Rule rule : definition.rules()) {
        for (FlagDefinition.Condition condition : rule.conditions()) {
          Operator operator = Operator.parse(condition.operator());
          if (operator != null && operator.isSegment()) {
            referenced.addAll(condition.values());
          }
        }
        CompiledCondition[] conditions =
            rule.conditions().stream()
                .map(condition -> CompiledCondition.compile(condition, segments))
                .toArray(CompiledCondition[]::new);
        compiledRules.add(
            new CompiledRule(
                conditions,
                CompiledServe.compile(
                    definition, rule.serve(), Reason.RULE, rule.id(), results, version)));
      }
    }
    this.rules = compiledRules.toArray(new CompiledRule[0]);
    this.segmentKeys = Set.copyOf(referenced);
    FlagDefinition.Serve fallthroughServe =
        definition.fallthrough() != null
            ? definition.fallthrough()
            : FlagDefinition.Serve.variant(
                variants.keySet().stream()
                    .filter(name -> !name.equals(off))
                    .findFirst()
                    .orElse(off));
    // A flag that asks nothing of the unit serves its fallthrough statically.
    boolean targeted =
        !prerequisites.isEmpty()
            || !targetMap.isEmpty()
            || !compiledRules.isEmpty()
            || fallthroughServe.rollout() != null;
    this.fallthrough =
        CompiledServe.compile(
            definition,
            fallthroughServe,
            targeted ? Reason.DEFAULT : Reason.STATIC,
            null,
            results,
            version);
    this.outcomes = results.toArray(new FlagEvaluation[0]);
    this.booleans = new byte[outcomes.length];
    for (int i = 0; i < outcomes.length; i++) {
      booleans[i] = outcomes[i].value() instanceof Boolean on ? (byte) (on ? 1 : 0) : NOT_BOOLEAN;
    }
  }

  private static FlagType kindOf(java.util.Collection<Object> values) {
    Object first = values.iterator().next();
    if (first instanceof Boolean) {
      return FlagType.BOOLEAN;
    }
    if (first instanceof String) {
      return FlagType.STRING;
    }
    if (first instanceof Number) {
      for (Object value : values) {
        if (!isWhole((Number) value)) {
          return FlagType.NUMBER;
        }
      }
      return FlagType.INTEGER;
    }
    return FlagType.JSON;
  }

  private static boolean isWhole(Number number) {
    if (number instanceof Integer
        || number instanceof Long
        || number instanceof Short
        || number instanceof Byte) {
      return true;
    }
    if (number instanceof java.math.BigInteger big) {
      return big.bitLength() < 64;
    }
    double d = number.doubleValue();
    return d == Math.rint(d) && d >= Long.MIN_VALUE && d <= Long.MAX_VALUE;
  }

  static int add(List<FlagEvaluation> results, FlagEvaluation result) {
    results.add(result);
    return results.size() - 1;
  }

  private ThreadSlotCounter[] counts = new ThreadSlotCounter[0];

  /**
   * Gives each possible result its count, once, before this flag is published in a snapshot (the
   * publication's volatile write makes the array visible to evaluating threads).
   */
  void bindCounts(Function<FlagEvaluation, ThreadSlotCounter> countFor) {
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
  int evaluateAndCount(FlagContext context, Function<String, @Nullable CompiledFlag> flags) {
    int result = evaluate(context, flags, 0);
    ThreadSlotCounter[] counters = counts;
    if (result < counters.length) {
      counters[result].increment();
    }
    return result;
  }

  /** The result numbered {@code result}. */
  FlagEvaluation outcome(int result) {
    return outcomes[result];
  }

  /**
   * Whether the result numbered {@code result} is {@code true}; {@code otherwise} if this flag's
   * values are not booleans.
   */
  boolean isOn(int result, boolean otherwise) {
    byte on = booleans[result];
    return on == NOT_BOOLEAN ? otherwise : on == 1;
  }

  /** Every result this flag can return, for per-result meters. */
  List<FlagEvaluation> outcomes() {
    return List.of(outcomes);
  }

  /** The definition. */
  FlagDefinition definition() {
    return definition;
  }

  /** The stored version, for ETags. */
  long version() {
    return version;
  }

  /** The class of the variants' values: Boolean, String, a Number, or a Map/List for JSON. */
  Class<?> valueClass() {
    return valueClass;
  }

  /** The type of the flag's values. */
  FlagType kind() {
    return kind;
  }

  /** Whether every value is a whole number within the range of an int. */
  boolean fitsInt() {
    return fitsInt;
  }

  /** The segments the flag's rules refer to. */
  Set<String> segmentKeys() {
    return segmentKeys;
  }

  /** The sum of this flag's evaluation counts, for the last-evaluated time. */
  long evaluationCount() {
    long total = 0;
    for (ThreadSlotCounter count : counts) {
      total += count.sum();
    }
    return total;
  }

  /**
   * What decided an evaluation, for explaining it: the result, and the rollout that bucketed the
   * unit, if one did.
   *
   * @param result the result's number
   * @param rollout the serve whose rollout bucketed the unit, or null
   */
  record Decision(int result, @Nullable CompiledServe rollout) {}

  /** Evaluates for {@code context} as evaluation does, noting what decided; counts nothing. */
  Decision explain(FlagContext context, Function<String, @Nullable CompiledFlag> flags) {
    if (!enabled) {
      return new Decision(DISABLED, null);
    }
    if (prerequisiteFlags.length > 0 && !prerequisitesHold(context, flags, 0)) {
      return new Decision(PREREQUISITE_FAILED, null);
    }
    int target = targets.find(context.key(), context.keyHash());
    if (target != UnitTable.ABSENT) {
      return new Decision(target, null);
    }
    for (CompiledRule rule : rules) {
      if (rule.matches(context)) {
        CompiledServe serve = rule.serve();
        return new Decision(serve.serve(context), serve.isRollout() ? serve : null);
      }
    }
    return new Decision(fallthrough.serve(context), fallthrough.isRollout() ? fallthrough : null);
  }

  /** The keys of the flags this one requires. */
  String[] prerequisiteFlags() {
    return prerequisiteFlags.clone();
  }

  /** Evaluates for {@code context}; prerequisites are looked up with {@code flags}. */
  FlagEvaluation evaluate(FlagContext context, Function<String, @Nullable CompiledFlag> flags) {
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
      int target = targets.find(context.key(), context.keyHash());
      if (target != UnitTable.ABSENT) {
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
  static @Nullable List<String> cycle(
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
