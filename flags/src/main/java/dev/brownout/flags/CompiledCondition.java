package dev.brownout.flags;

import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One condition of a rule, its operands parsed once when the flag is compiled, and the context's
 * attribute parsed once per context ({@link FlagContext.Attribute}): matching parses and allocates
 * nothing.
 */
final class CompiledCondition {
  private final String attribute;
  private final boolean byKey;
  private final Operator operator;
  private final String[] texts;
  private final int[] textHashes;
  private final double[] numbers;
  private final Semver[] versions;
  private final Instant[] instants;
  private final CompiledSegment[] segments;
  // The one segment of an in_segment condition naming one (the common case), else null: it is
  // tested straight from matches(), a call and an array fewer.
  private final @Nullable CompiledSegment inSegment;

  private CompiledCondition(
      String attribute,
      Operator operator,
      String[] texts,
      double[] numbers,
      Semver[] versions,
      Instant[] instants,
      CompiledSegment[] segments) {
    this.attribute = attribute;
    this.byKey = attribute.equals("key");
    this.operator = operator;
    this.texts = texts;
    this.textHashes = new int[texts.length];
    for (int i = 0; i < texts.length; i++) {
      textHashes[i] = texts[i].hashCode();
    }
    this.numbers = numbers;
    this.versions = versions;
    this.instants = instants;
    this.segments = segments;
    this.inSegment = operator == Operator.IN_SEGMENT && segments.length == 1 ? segments[0] : null;
  }

  // The common operators stay small enough for the JIT to inline into evaluation; the rest (text
  // matching, numbers, dates, versions, segments) are a call away. The attribute is found once,
  // with its text and its parsed forms together.
  boolean matches(FlagContext context) {
    if (operator == Operator.IN) {
      FlagContext.Attribute value = context.slot(attribute, byKey);
      return value != null && isListed(value);
    }
    if (operator == Operator.NOT_IN) {
      FlagContext.Attribute value = context.slot(attribute, byKey);
      return value == null || !isListed(value);
    }
    CompiledSegment segment = inSegment;
    if (segment != null) {
      return segment.contains(context);
    }
    return matchesOther(context);
  }

  private boolean matchesOther(FlagContext context) {
    if (segments.length > 0) {
      return inSegments(context) == (operator == Operator.IN_SEGMENT);
    }
    FlagContext.Attribute attribute = context.slot(this.attribute, byKey);
    if (attribute == null) {
      return false;
    }
    if (operator == Operator.STARTS_WITH
        || operator == Operator.ENDS_WITH
        || operator == Operator.CONTAINS) {
      String value = attribute.text;
      for (String operand : texts) {
        boolean hit =
            operator == Operator.STARTS_WITH
                ? value.startsWith(operand)
                : operator == Operator.ENDS_WITH
                    ? value.endsWith(operand)
                    : value.contains(operand);
        if (hit) {
          return true;
        }
      }
      return false;
    }
    return matchesParsed(attribute);
  }

  private boolean inSegments(FlagContext context) {
    for (CompiledSegment segment : segments) {
      if (segment.contains(context)) {
        return true;
      }
    }
    return false;
  }

  // Hashes first: the attribute keeps its text's hash, so a value that is not listed (most of them)
  // is told apart without reading its text.
  private boolean isListed(FlagContext.Attribute value) {
    int hash = value.hash;
    String[] operands = texts;
    int[] hashes = textHashes;
    for (int i = 0; i < operands.length; i++) {
      if (hashes[i] == hash && operands[i].equals(value.text)) {
        return true;
      }
    }
    return false;
  }

  private boolean matchesParsed(FlagContext.Attribute value) {
    switch (operator) {
      case LT, LTE, GT, GTE -> {
        double number = value.number();
        if (Double.isNaN(number)) {
          return false;
        }
        for (double operand : numbers) {
          if (holds(Double.compare(number, operand))) {
            return true;
          }
        }
        return false;
      }
      case BEFORE, AFTER -> {
        Instant instant = value.instant();
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
        Semver version = value.version();
        if (version == null) {
          return false;
        }
        for (Semver operand : versions) {
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

  /**
   * Compiles a validated condition; segment keys are looked up with {@code segments}, which gives
   * {@link CompiledSegment#MISSING} for one that does not exist.
   */
  static CompiledCondition compile(
      FlagDefinition.Condition condition, Function<String, CompiledSegment> segments) {
    Operator operator = Operator.parse(condition.operator());
    if (operator == null) {
      throw new IllegalArgumentException("unknown operator " + condition.operator());
    }
    List<String> values = condition.values();
    double[] numbers = new double[0];
    Semver[] versions = new Semver[0];
    Instant[] instants = new Instant[0];
    CompiledSegment[] compiledSegments = new CompiledSegment[0];
    switch (operator) {
      case LT, LTE, GT, GTE -> numbers = values.stream().mapToDouble(Operator::number).toArray();
      case SEMVER_LT, SEMVER_LTE, SEMVER_EQ, SEMVER_GTE, SEMVER_GT ->
          versions = values.stream().map(Semver::parse).toArray(Semver[]::new);
      case BEFORE, AFTER ->
          instants = values.stream().map(Operator::instant).toArray(Instant[]::new);
      case IN_SEGMENT, NOT_IN_SEGMENT ->
          compiledSegments = values.stream().map(segments).toArray(CompiledSegment[]::new);
      default -> {}
    }
    String attribute =
        operator.isSegment() || condition.attribute() == null ? "key" : condition.attribute();
    // Interned: attribute names in application code are literals, so the context's map lookup
    // usually matches by identity instead of comparing characters.
    return new CompiledCondition(
        attribute.intern(),
        operator,
        values.toArray(new String[0]),
        numbers,
        versions,
        instants,
        compiledSegments);
  }
}
