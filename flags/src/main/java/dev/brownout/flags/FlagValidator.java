package dev.brownout.flags;

import dev.brownout.flags.FlagDefinition.Condition;
import dev.brownout.flags.FlagDefinition.Rollout;
import dev.brownout.flags.FlagDefinition.Rule;
import dev.brownout.flags.FlagDefinition.Serve;
import dev.brownout.flags.FlagDefinition.Target;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks a definition whole and names every problem, with the path of the field it is about. */
final class FlagValidator {
  private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

  private FlagValidator() {}

  /** Whether {@code key} is a valid flag or segment key. */
  static boolean validKey(String key) {
    return KEY.matcher(key).matches();
  }

  /** Every problem with {@code flag}; empty if it is valid. */
  static List<String> problems(FlagDefinition flag) {
    List<String> problems = new ArrayList<>();
    if (flag.key() == null || !KEY.matcher(flag.key()).matches()) {
      problems.add(
          "key must be 1 to 128 lower-case letters, digits, '.', '_' or '-' but was '"
              + flag.key()
              + "'");
    }
    Map<String, Object> variants = flag.variantsOrDefault();
    Set<Class<?>> kinds = new HashSet<>();
    variants.forEach(
        (name, value) -> {
          if (name == null || name.isBlank()) {
            problems.add("variants: a variant name is blank");
          }
          if (value == null) {
            problems.add("variants." + name + ": has no value");
          } else if (!Frozen.isJson(value, 0)) {
            problems.add(
                "variants."
                    + name
                    + ": must be a boolean, a string, a number or JSON (maps and lists of those)"
                    + " but was a "
                    + value.getClass().getName());
          } else {
            kinds.add(kind(value));
          }
        });
    if (kinds.size() > 1) {
      problems.add(
          "variants: values must all be booleans, all strings, all numbers or all JSON objects/arrays");
    }
    String off = flag.offVariantOrDefault();
    if (!variants.containsKey(off)) {
      problems.add("offVariant: '" + off + "' is not one of the variants " + variants.keySet());
    }
    if (flag.prerequisites() != null) {
      for (int i = 0; i < flag.prerequisites().size(); i++) {
        FlagDefinition.Prerequisite prerequisite = flag.prerequisites().get(i);
        if (prerequisite == null || prerequisite.flag() == null || prerequisite.variant() == null) {
          problems.add("prerequisites[" + i + "]: needs a flag and a variant");
        } else if (prerequisite.flag().equals(flag.key())) {
          problems.add("prerequisites[" + i + "]: a flag cannot be its own prerequisite");
        }
      }
    }
    if (flag.targets() != null) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < flag.targets().size(); i++) {
        Target target = flag.targets().get(i);
        String path = "targets[" + i + "]";
        if (target == null || target.units() == null || target.units().isEmpty()) {
          problems.add(path + ": needs a variant and at least one unit");
          continue;
        }
        checkVariant(path + ".variant", target.variant(), variants, problems);
        for (String unit : target.units()) {
          if (unit == null || unit.isEmpty()) {
            problems.add(path + ".units: a unit is empty");
          } else if (!seen.add(unit)) {
            problems.add(path + ".units: '" + unit + "' is targeted more than once");
          }
        }
      }
    }
    if (flag.rules() != null) {
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < flag.rules().size(); i++) {
        Rule rule = flag.rules().get(i);
        String path = "rules[" + i + "]";
        if (rule == null) {
          problems.add(path + ": is null");
          continue;
        }
        if (rule.id() == null || rule.id().isBlank()) {
          problems.add(path + ".id: is missing");
        } else if (!ids.add(rule.id())) {
          problems.add(path + ".id: '" + rule.id() + "' is used by another rule");
        }
        if (rule.conditions() == null || rule.conditions().isEmpty()) {
          problems.add(path + ".conditions: a rule needs at least one condition");
        } else {
          for (int j = 0; j < rule.conditions().size(); j++) {
            checkCondition(path + ".conditions[" + j + "]", rule.conditions().get(j), problems);
          }
        }
        checkServe(path + ".serve", rule.serve(), variants, problems);
      }
    }
    if (flag.fallthrough() != null) {
      checkServe("fallthrough", flag.fallthrough(), variants, problems);
    } else if (variants.keySet().stream().allMatch(off::equals)) {
      problems.add("fallthrough: there is no variant other than the off variant to serve");
    }
    return problems;
  }

  private static Class<?> kind(Object value) {
    if (value instanceof Boolean) {
      return Boolean.class;
    }
    if (value instanceof String) {
      return String.class;
    }
    if (value instanceof Number) {
      return Number.class;
    }
    return Object.class;
  }

  private static void checkVariant(
      String path, String variant, Map<String, Object> variants, List<String> problems) {
    if (variant == null) {
      problems.add(path + ": is missing");
    } else if (!variants.containsKey(variant)) {
      problems.add(path + ": '" + variant + "' is not one of the variants " + variants.keySet());
    }
  }

  private static void checkServe(
      String path, Serve serve, Map<String, Object> variants, List<String> problems) {
    if (serve == null || (serve.variant() == null) == (serve.rollout() == null)) {
      problems.add(path + ": must have exactly one of 'variant' and 'rollout'");
      return;
    }
    if (serve.variant() != null) {
      checkVariant(path + ".variant", serve.variant(), variants, problems);
      return;
    }
    Rollout rollout = serve.rollout();
    if (rollout.percentage() != null
        && !(rollout.percentage() >= 0 && rollout.percentage() <= 100)) {
      problems.add(
          path + ".rollout.percentage: must be between 0 and 100 but was " + rollout.percentage());
    }
    if (rollout.variants() != null) {
      if (rollout.variants().isEmpty()) {
        problems.add(path + ".rollout.variants: is empty");
      }
      rollout
          .variants()
          .forEach(
              (name, weight) -> {
                checkVariant(path + ".rollout.variants", name, variants, problems);
                if (weight == null || weight < 1) {
                  problems.add(
                      path
                          + ".rollout.variants."
                          + name
                          + ": weight must be a positive integer but was "
                          + weight);
                }
              });
    }
    if (rollout.otherwise() != null) {
      checkVariant(path + ".rollout.otherwise", rollout.otherwise(), variants, problems);
    }
    if (rollout.bucketBy() != null && rollout.bucketBy().isBlank()) {
      problems.add(path + ".rollout.bucketBy: is blank");
    }
  }

  static void checkCondition(String path, Condition condition, List<String> problems) {
    if (condition == null) {
      problems.add(path + ": is null");
      return;
    }
    Operator operator = Operator.parse(condition.operator());
    if ((operator == null || !operator.isSegment())
        && (condition.attribute() == null || condition.attribute().isBlank())) {
      problems.add(path + ".attribute: is missing");
    }
    if (operator == null) {
      problems.add(
          path + ".operator: '" + condition.operator() + "' is not one of " + Operator.names());
      return;
    }
    if (condition.values() == null || condition.values().isEmpty()) {
      problems.add(path + ".values: needs at least one value");
      return;
    }
    for (String value : condition.values()) {
      String problem = operator.checkValue(value);
      if (problem != null) {
        problems.add(path + ".values: " + problem);
      }
    }
  }
}
