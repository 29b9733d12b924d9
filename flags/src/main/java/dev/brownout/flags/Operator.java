package dev.brownout.flags;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** The condition operators. Comparisons that cannot parse the attribute simply do not hold. */
enum Operator {
  IN,
  NOT_IN,
  STARTS_WITH,
  ENDS_WITH,
  CONTAINS,
  LT,
  LTE,
  GT,
  GTE,
  SEMVER_LT,
  SEMVER_LTE,
  SEMVER_EQ,
  SEMVER_GTE,
  SEMVER_GT,
  BEFORE,
  AFTER;

  /** The operator named {@code name} in the wire format, or null. */
  static @Nullable Operator parse(@Nullable String name) {
    if (name == null) {
      return null;
    }
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The wire names. */
  static String names() {
    return Arrays.stream(values())
        .map(o -> o.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
  }

  /** A problem with {@code value} as an operand, or null. */
  @Nullable String checkValue(@Nullable String value) {
    if (value == null) {
      return "a value is null";
    }
    return switch (this) {
      case LT, LTE, GT, GTE -> number(value) == null ? "'" + value + "' is not a number" : null;
      case SEMVER_LT, SEMVER_LTE, SEMVER_EQ, SEMVER_GTE, SEMVER_GT ->
          Semver.parse(value) == null ? "'" + value + "' is not a version like 1.2.3" : null;
      case BEFORE, AFTER ->
          instant(value) == null
              ? "'" + value + "' is not an ISO-8601 instant like 2026-01-01T00:00:00Z"
              : null;
      default -> null;
    };
  }

  static @Nullable Double number(String text) {
    try {
      double value = Double.parseDouble(text);
      return Double.isNaN(value) ? null : value;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static @Nullable Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * A semantic version: major.minor.patch, then an optional pre-release that sorts before the
   * release.
   */
  record Semver(long major, long minor, long patch, String pre) implements Comparable<Semver> {
    static @Nullable Semver parse(String text) {
      String core = text.startsWith("v") ? text.substring(1) : text;
      int plus = core.indexOf('+');
      if (plus >= 0) {
        core = core.substring(0, plus);
      }
      int dash = core.indexOf('-');
      String pre = dash >= 0 ? core.substring(dash + 1) : "";
      String[] parts = (dash >= 0 ? core.substring(0, dash) : core).split("\\.", -1);
      if (parts.length < 1 || parts.length > 3) {
        return null;
      }
      long[] numbers = new long[3];
      try {
        for (int i = 0; i < parts.length; i++) {
          numbers[i] = Long.parseLong(parts[i]);
          if (numbers[i] < 0) {
            return null;
          }
        }
      } catch (NumberFormatException e) {
        return null;
      }
      return new Semver(numbers[0], numbers[1], numbers[2], pre);
    }

    @Override
    public int compareTo(Semver other) {
      int c = Long.compare(major, other.major);
      if (c == 0) {
        c = Long.compare(minor, other.minor);
      }
      if (c == 0) {
        c = Long.compare(patch, other.patch);
      }
      if (c == 0 && !pre.equals(other.pre)) {
        c = pre.isEmpty() ? 1 : other.pre.isEmpty() ? -1 : pre.compareTo(other.pre);
      }
      return c;
    }
  }
}
