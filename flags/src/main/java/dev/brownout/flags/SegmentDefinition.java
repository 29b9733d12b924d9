package dev.brownout.flags;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.brownout.core.json.CodecException;
import dev.brownout.core.json.JsonCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A segment: a named, reusable set of units that flags refer to with the {@code in_segment} and
 * {@code not_in_segment} operators, stored and sent to the admin API in this form (wire format
 * version 1).
 *
 * <pre>{@code
 * {
 *   "key": "beta-testers",
 *   "description": "Staff and the customers who asked for early access",
 *   "included": ["alice", "bob"],
 *   "excluded": ["mallory"],
 *   "rules": [{"id": "staff", "conditions": [
 *       {"attribute": "email", "operator": "ends_with", "values": ["@example.com"]}]}]
 * }
 * }</pre>
 *
 * A unit is in the segment when it is not {@code excluded} and is {@code included} or matches a
 * rule (every condition of a rule holds). A flag refers to it with {@code {"attribute": "segment",
 * "operator": "in_segment", "values": ["beta-testers"]}}; the attribute is not read. A segment's
 * rules cannot refer to other segments.
 *
 * @param key lower-case letters, digits, {@code .}, {@code _} and {@code -}; at most 128 characters
 * @param description what the segment is
 * @param included units in the segment whatever the rules say
 * @param excluded units never in the segment
 * @param rules attribute rules; a unit matching any of them is in
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SegmentDefinition(
    String key,
    @Nullable String description,
    @Nullable List<String> included,
    @Nullable List<String> excluded,
    @Nullable List<Rule> rules) {

  /** Copies the lists, so that a definition never changes once made. */
  public SegmentDefinition {
    included = Frozen.list(included);
    excluded = Frozen.list(excluded);
    rules = Frozen.list(rules);
  }

  /**
   * A segment rule: every condition must hold.
   *
   * @param id a name for the rule
   * @param conditions all must hold
   */
  public record Rule(String id, List<FlagDefinition.Condition> conditions) {
    /** Copies the conditions. */
    public Rule {
      conditions = Frozen.list(conditions);
    }
  }

  /** A segment of exactly {@code units}. */
  public static SegmentDefinition of(String key, String... units) {
    return new SegmentDefinition(key, null, List.of(units), null, null);
  }

  /**
   * Reads a segment from its JSON and validates it.
   *
   * @throws InvalidFlagException naming every problem
   */
  public static SegmentDefinition fromJson(String json) {
    Objects.requireNonNull(json, "json");
    SegmentDefinition segment;
    try {
      segment = JsonCodec.standard().decode(json, SegmentDefinition.class);
    } catch (CodecException e) {
      throw new InvalidFlagException("(unreadable)", List.of(e.getMessage()));
    }
    if (segment == null) {
      throw new InvalidFlagException("(none)", List.of("the JSON is null"));
    }
    segment.validate();
    return segment;
  }

  /** This segment as JSON, the format {@link #fromJson(String)} reads. */
  public String toJson() {
    return JsonCodec.standard().encodeToString(this);
  }

  /**
   * Checks the segment as the store and the admin API do.
   *
   * @throws InvalidFlagException naming every problem (the exception says "flag", as for flags)
   */
  public void validate() {
    List<String> problems = problems();
    if (!problems.isEmpty()) {
      throw new InvalidFlagException("segment " + key, problems);
    }
  }

  /** Every problem with this segment; empty if it is valid. */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (key == null || !FlagValidator.validKey(key)) {
      problems.add(
          "key must be 1 to 128 lower-case letters, digits, '.', '_' or '-' but was '" + key + "'");
    }
    checkUnits("included", included, problems);
    checkUnits("excluded", excluded, problems);
    if (rules != null) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < rules.size(); i++) {
        Rule rule = rules.get(i);
        String path = "rules[" + i + "]";
        if (rule == null) {
          problems.add(path + ": is null");
          continue;
        }
        if (rule.id() == null || rule.id().isBlank()) {
          problems.add(path + ".id: is missing");
        } else if (ids.contains(rule.id())) {
          problems.add(path + ".id: '" + rule.id() + "' is used by another rule");
        } else {
          ids.add(rule.id());
        }
        if (rule.conditions() == null || rule.conditions().isEmpty()) {
          problems.add(path + ".conditions: a rule needs at least one condition");
          continue;
        }
        for (int j = 0; j < rule.conditions().size(); j++) {
          String at = path + ".conditions[" + j + "]";
          FlagDefinition.Condition condition = rule.conditions().get(j);
          FlagValidator.checkCondition(at, condition, problems);
          Operator operator = condition == null ? null : Operator.parse(condition.operator());
          if (operator != null && operator.isSegment()) {
            problems.add(at + ".operator: a segment's rules cannot refer to other segments");
          }
        }
      }
    }
    return problems;
  }

  private static void checkUnits(String path, @Nullable List<String> units, List<String> problems) {
    if (units == null) {
      return;
    }
    for (String unit : units) {
      if (unit == null || unit.isEmpty()) {
        problems.add(path + ": a unit is empty");
      }
    }
  }
}
