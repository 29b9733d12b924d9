package dev.brownout.flags;

import java.time.Instant;
import java.util.List;

/** One condition of a rule, its operands parsed once when the flag is compiled. */
record CompiledCondition(
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
          if (operator == Operator.BEFORE ? instant.isBefore(operand) : instant.isAfter(operand)) {
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

  static CompiledCondition compile(FlagDefinition.Condition condition) {
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
}
