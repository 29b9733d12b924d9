package dev.brownout.flags;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/**
 * Durations as the wire formats write them: {@code 500ms}, {@code 30s}, {@code 5m}, or ISO-8601.
 */
final class Durations {
  private Durations() {}

  /** The duration, or null if {@code text} is not one. */
  static @Nullable Duration tryParse(String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      return null;
    }
    if (t.charAt(0) == 'P' || t.charAt(0) == 'p') {
      try {
        return Duration.parse(t);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    int unit = 0;
    while (unit < t.length() && Character.isDigit(t.charAt(unit))) {
      unit++;
    }
    if (unit == 0 || unit > 12) {
      return null;
    }
    long amount = Long.parseLong(t.substring(0, unit));
    return switch (t.substring(unit).strip()) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      case "d" -> Duration.ofDays(amount);
      default -> null;
    };
  }

  /**
   * The duration {@code text} names.
   *
   * @throws IllegalArgumentException if it names none
   */
  static Duration parse(String text) {
    Duration duration = tryParse(text);
    if (duration == null) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration like 500ms, 30s, 5m, 1h, 1d or PT5M");
    }
    return duration;
  }

  /** The shortest exact text for {@code duration}: {@code 10m}, {@code 90s}, {@code 250ms}. */
  static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 86_400_000 == 0 && millis > 0) {
      return millis / 86_400_000 + "d";
    }
    if (millis % 3_600_000 == 0 && millis > 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0 && millis > 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }
}
