package dev.brownout.flags;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The condition operators. Comparisons that cannot parse the attribute simply do not hold. The
 * parsers here never throw for text that is not a number, an instant or a version, so an attribute
 * that is none of them costs a scan, not an exception.
 */
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
  AFTER,
  IN_SEGMENT,
  NOT_IN_SEGMENT;

  private static final Pattern SEGMENT_KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
  // Where an ISO-8601 date-time has digits: yyyy-MM-ddTHH:…
  private static final int[] DATE_DIGITS = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12};

  /** The operator named {@code name} in the wire format, or null. */
  static @Nullable Operator parse(@Nullable String name) {
    if (name == null) {
      return null;
    }
    for (Operator operator : values()) {
      if (operator.name().equalsIgnoreCase(name)) {
        return operator;
      }
    }
    return null;
  }

  /** The wire names. */
  static String names() {
    return Arrays.stream(values()).map(Operator::wireName).collect(Collectors.joining(", "));
  }

  /** This operator's name in the wire format. */
  String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether this operator tests segment membership (its values are segment keys). */
  boolean isSegment() {
    return this == IN_SEGMENT || this == NOT_IN_SEGMENT;
  }

  /** A problem with {@code value} as an operand, or null. */
  @Nullable String checkValue(@Nullable String value) {
    if (value == null) {
      return "a value is null";
    }
    return switch (this) {
      case LT, LTE, GT, GTE -> number(value) == null ? "'" + value + "' is not a number" : null;
      case SEMVER_LT, SEMVER_LTE, SEMVER_EQ, SEMVER_GTE, SEMVER_GT ->
          Semver.parse(value) == null
              ? "'" + value + "' is not a version like 1.2.3 or 1.2.3-rc.1"
              : null;
      case BEFORE, AFTER ->
          instant(value) == null
              ? "'" + value + "' is not an ISO-8601 instant like 2026-01-01T00:00:00Z"
              : null;
      case IN_SEGMENT, NOT_IN_SEGMENT ->
          SEGMENT_KEY.matcher(value).matches()
              ? null
              : "'" + value + "' is not a segment key (lower-case letters, digits, '.', '_', '-')";
      default -> null;
    };
  }

  /** The number {@code text} denotes, or null; never NaN or infinite. */
  static @Nullable Double number(String text) {
    int n = text.length();
    if (n == 0 || n > 64) {
      return null;
    }
    boolean digit = false;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        digit = true;
      } else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
        return null;
      }
    }
    if (!digit) {
      return null;
    }
    try {
      double value = Double.parseDouble(text);
      return Double.isFinite(value) ? value : null;
    } catch (NumberFormatException e) {
      // Rare: only text made of digits, signs, points and exponents gets here ("1e", "1.2.3").
      return null;
    }
  }

  /**
   * The instant {@code text} denotes (ISO-8601 with an offset, such as {@code 2026-01-01T00:00:00Z}
   * or {@code 2026-01-01T01:00:00+01:00}), or null.
   */
  static @Nullable Instant instant(String text) {
    int n = text.length();
    if (n < 20
        || n > 40
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || (text.charAt(10) != 'T' && text.charAt(10) != 't')
        || text.charAt(13) != ':') {
      return null;
    }
    for (int i : DATE_DIGITS) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      // Rare: only text shaped like a date gets here ("2026-13-45T…").
      return null;
    }
  }
}
