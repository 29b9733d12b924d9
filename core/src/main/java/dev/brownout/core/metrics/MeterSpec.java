package dev.brownout.core.metrics;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A meter declared once: name, kind, description and tag keys. Tag keys are fixed here, so a meter
 * can never grow a tag holding a user id, a session id or a URL; the values of each tag are bounded
 * by {@link BrownoutMetrics}.
 *
 * @param name dot-separated lower-case name starting with {@code brownout.}
 * @param kind what kind of meter
 * @param description what it measures, for the metrics reference
 * @param baseUnit the unit, such as {@code seconds} or {@code bytes}, or empty
 * @param tagKeys the tag keys, in the order {@link BrownoutMetrics} takes their values
 */
public record MeterSpec(
    String name, Kind kind, String description, String baseUnit, List<String> tagKeys) {
  private static final Pattern NAME = Pattern.compile("brownout(\\.[a-z][a-z0-9_]*)+");
  private static final Pattern TAG = Pattern.compile("[a-z][a-z0-9_.]*");

  /** The kinds of meter Brownout registers. */
  public enum Kind {
    /** A monotonically increasing count. */
    COUNTER,
    /** A distribution of durations. */
    TIMER,
    /** A value sampled when read. */
    GAUGE,
    /** A distribution of amounts, such as bytes. */
    DISTRIBUTION
  }

  /** Validates the declaration. */
  public MeterSpec {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(baseUnit, "baseUnit");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "meter name must be lower-case words separated by '.' starting with 'brownout.' but was '"
              + name
              + "'");
    }
    tagKeys = List.copyOf(tagKeys);
    for (String tag : tagKeys) {
      if (!TAG.matcher(tag).matches()) {
        throw new IllegalArgumentException(
            "tag key of " + name + " must be lower-case but was '" + tag + "'");
      }
    }
  }

  /** A counter. */
  public static MeterSpec counter(String name, String description, String... tagKeys) {
    return new MeterSpec(name, Kind.COUNTER, description, "", List.of(tagKeys));
  }

  /** A timer, in seconds. */
  public static MeterSpec timer(String name, String description, String... tagKeys) {
    return new MeterSpec(name, Kind.TIMER, description, "seconds", List.of(tagKeys));
  }

  /** A gauge in {@code baseUnit}. */
  public static MeterSpec gauge(
      String name, String description, String baseUnit, String... tagKeys) {
    return new MeterSpec(name, Kind.GAUGE, description, baseUnit, List.of(tagKeys));
  }

  /** A distribution summary in {@code baseUnit}. */
  public static MeterSpec distribution(
      String name, String description, String baseUnit, String... tagKeys) {
    return new MeterSpec(name, Kind.DISTRIBUTION, description, baseUnit, List.of(tagKeys));
  }
}
