package dev.brownout.core.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One change made through the admin API: who did what to which thing, what it was before and after,
 * why, and when. Wire format version 1; {@code before} and {@code after} are JSON documents.
 *
 * @param at when the change was made
 * @param actor the principal's name
 * @param action the route id, such as {@code flags.replace}
 * @param target what was changed, such as {@code flag new-checkout}
 * @param before the state before as JSON, or null if it did not exist
 * @param after the state after as JSON, or null if it no longer exists
 * @param reason why, from the {@code Brownout-Reason} header, or null if none was given
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record AuditRecord(
    Instant at,
    String actor,
    String action,
    String target,
    @JsonRawValue @Nullable String before,
    @JsonRawValue @Nullable String after,
    @Nullable String reason) {

  /** Validates the record. */
  public AuditRecord {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(target, "target");
  }

  /** Starts a record of {@code actor} doing {@code action} to {@code target} at {@code at}. */
  public static Builder builder(Instant at, String actor, String action, String target) {
    return new Builder(at, actor, action, target);
  }

  /** Builds an {@link AuditRecord}. */
  public static final class Builder {
    private final Instant at;
    private final String actor;
    private final String action;
    private final String target;
    private @Nullable String before;
    private @Nullable String after;
    private @Nullable String reason;

    private Builder(Instant at, String actor, String action, String target) {
      this.at = at;
      this.actor = actor;
      this.action = action;
      this.target = target;
    }

    /** The state before, as a JSON document. */
    public Builder before(@Nullable String json) {
      this.before = json;
      return this;
    }

    /** The state after, as a JSON document. */
    public Builder after(@Nullable String json) {
      this.after = json;
      return this;
    }

    /** Why the change was made. */
    public Builder reason(@Nullable String why) {
      this.reason = why;
      return this;
    }

    /** Builds the record. */
    public AuditRecord build() {
      return new AuditRecord(at, actor, action, target, before, after, reason);
    }
  }
}
