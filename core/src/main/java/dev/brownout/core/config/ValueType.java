package dev.brownout.core.config;

import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * How the text of a configuration value becomes a typed value, and what a valid value is. Parsing
 * and checking throw {@link IllegalArgumentException} with a message that completes the sentence
 * "expected …" (see {@link #expectation()}).
 *
 * @param <T> the parsed type
 */
public final class ValueType<T> {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private final String expectation;
  private final Class<T> javaType;
  private final Function<String, T> parser;
  private final Function<T, @Nullable String> checker;
  private final Function<T, String> formatter;

  private ValueType(
      String expectation,
      Class<T> javaType,
      Function<String, T> parser,
      Function<T, @Nullable String> checker,
      Function<T, String> formatter) {
    this.expectation = expectation;
    this.javaType = javaType;
    this.parser = parser;
    this.checker = checker;
    this.formatter = formatter;
  }

  /** What a valid value looks like, in words: {@code "an integer between 0 and 65535"}. */
  public String expectation() {
    return expectation;
  }

  /** The Java type values are parsed to. */
  public Class<T> javaType() {
    return javaType;
  }

  /**
   * Parses and checks {@code text}, which has already been trimmed.
   *
   * @throws IllegalArgumentException if the text is not a valid value
   */
  public T parse(String text) {
    T value;
    try {
      value = parser.apply(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("expected " + expectation, e);
    }
    check(value);
    return value;
  }

  /**
   * Checks a typed value, as set in code.
   *
   * @throws IllegalArgumentException if the value is out of range
   */
  public T check(T value) {
    Objects.requireNonNull(value, "value");
    String problem = checker.apply(value);
    if (problem != null) {
      throw new IllegalArgumentException("expected " + expectation + " (" + problem + ")");
    }
    return value;
  }

  /** Formats a value the way {@link #parse(String)} reads it, for references and diagnostics. */
  public String format(T value) {
    return formatter.apply(value);
  }

  /** Any non-blank text. */
  public static ValueType<String> string() {
    return new ValueType<>(
        "a non-blank string",
        String.class,
        text -> text,
        value -> value.isBlank() ? "it is blank" : null,
        value -> value);
  }

  /**
   * {@code true} or {@code false}, in any case. Nothing else: {@code yes} is a typo waiting to
   * happen.
   */
  public static ValueType<Boolean> bool() {
    return new ValueType<>(
        "true or false",
        Boolean.class,
        text -> {
          if (text.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
          }
          if (text.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
          }
          throw new IllegalArgumentException(text);
        },
        value -> null,
        String::valueOf);
  }

  /** An integer in {@code [min, max]}. */
  public static ValueType<Integer> integer(int min, int max) {
    if (min > max) {
      throw new IllegalArgumentException("min " + min + " is greater than max " + max);
    }
    return new ValueType<>(
        "an integer between " + min + " and " + max,
        Integer.class,
        text -> Integer.valueOf(text.replace("_", "")),
        value -> value < min || value > max ? value + " is out of range" : null,
        String::valueOf);
  }

  /** A decimal number in {@code [min, max]}. */
  public static ValueType<Double> decimal(double min, double max) {
    return new ValueType<>(
        "a number between " + min + " and " + max,
        Double.class,
        Double::valueOf,
        value -> value.isNaN() || value < min || value > max ? value + " is out of range" : null,
        String::valueOf);
  }

  /**
   * A duration in {@code [min, max]}, written {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h},
   * {@code 1d}, or in ISO-8601 ({@code PT5S}).
   */
  public static ValueType<Duration> duration(Duration min, Duration max) {
    return new ValueType<>(
        "a duration between "
            + formatDuration(min)
            + " and "
            + formatDuration(max)
            + " such as 500ms, 5s, 2m, 1h or PT5S",
        Duration.class,
        ValueType::parseDuration,
        value ->
            value.compareTo(min) < 0 || value.compareTo(max) > 0
                ? "it is " + formatDuration(value)
                : null,
        ValueType::formatDuration);
  }

  /**
   * One of the constants of {@code type}, case-insensitive, with {@code -} or {@code _} between
   * words.
   */
  public static <E extends Enum<E>> ValueType<E> enumeration(Class<E> type) {
    String names =
        java.util.Arrays.stream(type.getEnumConstants())
            .map(ValueType::enumText)
            .collect(Collectors.joining(", "));
    return new ValueType<>(
        "one of " + names,
        type,
        text -> Enum.valueOf(type, text.toUpperCase(Locale.ROOT).replace('-', '_')),
        value -> null,
        ValueType::enumText);
  }

  /** An absolute URI such as {@code redis://localhost:6379}. */
  public static ValueType<URI> uri() {
    return new ValueType<>(
        "an absolute URI such as redis://localhost:6379",
        URI.class,
        URI::create,
        value -> value.isAbsolute() ? null : "it has no scheme",
        URI::toString);
  }

  /** A comma-separated list of {@code element}; an empty text is the empty list. */
  @SuppressWarnings("unchecked")
  public static <E> ValueType<List<E>> list(ValueType<E> element) {
    return new ValueType<>(
        "a comma-separated list of " + element.expectation(),
        (Class<List<E>>) (Class<?>) List.class,
        text -> {
          List<E> values = new ArrayList<>();
          if (text.isEmpty()) {
            return List.of();
          }
          for (String part : text.split(",", -1)) {
            values.add(element.parse(part.trim()));
          }
          return List.copyOf(values);
        },
        values -> {
          for (E value : values) {
            element.check(value);
          }
          return null;
        },
        values -> values.stream().map(element::format).collect(Collectors.joining(",")));
  }

  static Duration parseDuration(String text) {
    String trimmed = text.trim();
    if (trimmed.regionMatches(true, 0, "P", 0, 1)) {
      try {
        return Duration.parse(trimmed);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(text, e);
      }
    }
    Matcher matcher = DURATION.matcher(trimmed.toLowerCase(Locale.ROOT));
    if (!matcher.matches()) {
      throw new IllegalArgumentException(text);
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }

  /**
   * Formats a duration in the largest unit that divides it exactly: {@code 90s}, {@code 2m}, {@code
   * 250ms}.
   */
  static String formatDuration(Duration value) {
    long millis = value.toMillis();
    if (!value.equals(Duration.ofMillis(millis))) {
      return value.toString();
    }
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (millis != 0 && millis % sizes[i] == 0) {
        return millis / sizes[i] + units[i];
      }
    }
    return millis + "ms";
  }

  private static String enumText(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @Override
  public String toString() {
    return "ValueType[" + expectation + "]";
  }
}
