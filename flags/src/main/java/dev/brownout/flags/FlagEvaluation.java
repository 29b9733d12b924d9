package dev.brownout.flags;

import org.jspecify.annotations.Nullable;

/**
 * The result of evaluating a flag: the variant, its value, and why. A JSON value is unmodifiable:
 * every caller gets the same one.
 *
 * @param flag the flag's key
 * @param variant the variant served, or null if the caller's default was used
 * @param value the variant's value, or null if the caller's default was used
 * @param reason why this variant
 * @param ruleId the rule that matched, for {@link Reason#RULE}
 * @param version the stored version of the definition that decided; -1 if the flag does not exist
 *     or came from the bootstrap file
 */
public record FlagEvaluation(
    String flag,
    @Nullable String variant,
    @Nullable Object value,
    Reason reason,
    @Nullable String ruleId,
    long version) {

  /** A result of no particular stored version. */
  public FlagEvaluation(
      String flag,
      @Nullable String variant,
      @Nullable Object value,
      Reason reason,
      @Nullable String ruleId) {
    this(flag, variant, value, reason, ruleId, -1);
  }

  /** Why a variant was served; named after OpenFeature's reasons where they exist. */
  public enum Reason {
    /** The flag is disabled: its kill switch is on. */
    DISABLED,
    /** A prerequisite flag did not serve the required variant. */
    PREREQUISITE_FAILED,
    /** The unit is listed in a target. */
    TARGETING_MATCH,
    /** A rule matched. */
    RULE,
    /** The unit's bucket is inside a percentage rollout. */
    SPLIT,
    /** The unit's bucket is outside a percentage rollout (or it has no value to bucket by). */
    SPLIT_OUT,
    /** No rule matched; the fallthrough variant. */
    DEFAULT,
    /** The flag asks nothing of the unit (no prerequisite, target, rule or rollout). */
    STATIC,
    /** No such flag: the caller's default. */
    FLAG_NOT_FOUND,
    /** The flag's values are of another type than the caller asked for: the caller's default. */
    TYPE_MISMATCH
  }

  /** Whether the caller's default was used instead of a variant. */
  public boolean isDefault() {
    return variant == null;
  }
}
