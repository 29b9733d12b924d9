package dev.brownout.flags;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A rollout guard as data, so that a plan stored in the store and created over the admin API can
 * name it, and every server checks it the same way. Two kinds:
 *
 * <ul>
 *   <li>a circuit breaker by name, tripping while it is open: {@code {"breaker": "payments"}},
 *       looked up through the application's {@link BreakerStates};
 *   <li>a Micrometer meter by name, tripping when what it counted over a window is above a
 *       threshold: {@code {"meter": "checkout.errors", "above": 20, "window": "5m"}}, or, with
 *       {@code per}, when the ratio of two meters' counts is: {@code {"meter": "http.requests",
 *       "tags": {"outcome": "SERVER_ERROR"}, "per": "http.requests", "above": 0.02, "window": "5m",
 *       "minimumEvents": 200}}.
 * </ul>
 *
 * A meter is every meter of that name whose tags include {@code tags}, summed. A counter, timer or
 * distribution summary counts its events (its count's increase over the window); a gauge counts its
 * current value. A meter that this server has not registered yet counts nothing. Each server checks
 * guards against its own meters, and any server's trip halts the plan.
 *
 * @param breaker the circuit breaker's name
 * @param meter the meter's name
 * @param tags tags the meter must have
 * @param per the meter whose count divides, for a ratio
 * @param perTags tags the {@code per} meter must have
 * @param above the threshold: the guard trips when the count (or ratio) is above it
 * @param window how far back to count, such as {@code 5m} or {@code PT5M}; at least one second
 * @param minimumEvents for a ratio, the fewest {@code per} events before it can trip; default 1
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GuardDefinition(
    @Nullable String breaker,
    @Nullable String meter,
    @Nullable Map<String, String> tags,
    @Nullable String per,
    @Nullable Map<String, String> perTags,
    @Nullable Double above,
    @Nullable String window,
    @Nullable Long minimumEvents) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

  /** Copies the tags. */
  public GuardDefinition {
    tags = Frozen.map(tags);
    perTags = Frozen.map(perTags);
  }

  /** Trips while the circuit breaker named {@code name} is open. */
  public static GuardDefinition breaker(String name) {
    return new GuardDefinition(
        Objects.requireNonNull(name, "name"), null, null, null, null, null, null, null);
  }

  /**
   * Trips when the meter named {@code name} counted more than {@code above} over {@code window}.
   */
  public static GuardDefinition meter(String name, double above, Duration window) {
    return new GuardDefinition(
        null,
        Objects.requireNonNull(name, "name"),
        null,
        null,
        null,
        above,
        Durations.format(window),
        null);
  }

  /** This guard with the meter narrowed to those with {@code meterTags}. */
  public GuardDefinition withTags(Map<String, String> meterTags) {
    return new GuardDefinition(
        breaker, meter, meterTags, per, perTags, above, window, minimumEvents);
  }

  /**
   * This guard as a ratio: the meter's count divided by the count of the meter named {@code name}
   * with {@code tagsOfPer}, tripping only once that count reaches {@code minimum}.
   */
  public GuardDefinition per(String name, Map<String, String> tagsOfPer, long minimum) {
    return new GuardDefinition(breaker, meter, tags, name, tagsOfPer, above, window, minimum);
  }

  /** What the guard watches, for people: {@code breaker 'payments' open}. */
  public String describe() {
    if (breaker != null) {
      return "breaker '" + breaker + "' open";
    }
    String what = meter + (tags == null || tags.isEmpty() ? "" : tags.toString());
    if (per != null) {
      what += " / " + per + (perTags == null || perTags.isEmpty() ? "" : perTags.toString());
    }
    return String.format(Locale.ROOT, "%s over %s above %s", what, window, above);
  }

  /** The window, parsed. */
  Duration windowDuration() {
    return Durations.parse(Objects.requireNonNull(window));
  }

  /** Every problem with this guard, each starting with {@code path}; empty if valid. */
  List<String> problems(String path) {
    List<String> problems = new ArrayList<>();
    if ((breaker == null) == (meter == null)) {
      problems.add(path + ": must name exactly one of 'breaker' and 'meter'");
      return problems;
    }
    if (breaker != null) {
      if (!NAME.matcher(breaker).matches()) {
        problems.add(path + ".breaker: '" + breaker + "' is not a breaker name");
      }
      if (tags != null
          || per != null
          || perTags != null
          || above != null
          || window != null
          || minimumEvents != null) {
        problems.add(path + ": a breaker guard takes only 'breaker'");
      }
      return problems;
    }
    if (!NAME.matcher(meter).matches()) {
      problems.add(path + ".meter: '" + meter + "' is not a meter name");
    }
    if (per != null && !NAME.matcher(per).matches()) {
      problems.add(path + ".per: '" + per + "' is not a meter name");
    }
    if (perTags != null && per == null) {
      problems.add(path + ".perTags: needs 'per'");
    }
    if (above == null || !(above >= 0) || above.isInfinite()) {
      problems.add(path + ".above: must be a number, 0 or more, but was " + above);
    }
    if (window == null) {
      problems.add(path + ".window: is missing (such as \"5m\")");
    } else {
      Duration parsed = Durations.tryParse(window);
      if (parsed == null) {
        problems.add(
            path + ".window: '" + window + "' is not a duration like 500ms, 30s, 5m, 1h or PT5M");
      } else if (parsed.compareTo(Duration.ofSeconds(1)) < 0
          || parsed.compareTo(Duration.ofDays(1)) > 0) {
        problems.add(path + ".window: must be between 1s and 1d but was " + window);
      }
    }
    if (minimumEvents != null && (per == null || minimumEvents < 1)) {
      problems.add(
          path
              + ".minimumEvents: "
              + (per == null
                  ? "applies to a ratio only (set 'per')"
                  : "must be at least 1 but was " + minimumEvents));
    }
    checkTags(path + ".tags", tags, problems);
    checkTags(path + ".perTags", perTags, problems);
    return problems;
  }

  private static void checkTags(
      String path, @Nullable Map<String, String> tags, List<String> problems) {
    if (tags == null) {
      return;
    }
    tags.forEach(
        (k, v) -> {
          if (k == null || k.isBlank() || v == null) {
            problems.add(path + ": a tag needs a name and a value");
          }
        });
  }
}
