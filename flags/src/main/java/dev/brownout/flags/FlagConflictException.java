package dev.brownout.flags;

import dev.brownout.core.BrownoutException;
import java.util.OptionalLong;

/**
 * A change to a flag, a segment or a rollout plan cannot be made as asked; the kind says why, and
 * nothing changed.
 */
public class FlagConflictException extends BrownoutException {
  private static final long serialVersionUID = 1L;

  /** Why the change was refused. */
  public enum Kind {
    /** Creating a flag that exists. */
    EXISTS,
    /** Changing a flag that does not exist. */
    NOT_FOUND,
    /** The flag changed since the caller read it (a stale version or ETag). */
    STALE,
    /**
     * Deleting a flag that others list as a prerequisite or that a rollout plan is running, a
     * segment that flags refer to, or making a prerequisite cycle.
     */
    IN_USE,
    /** A jump from 0 % to 100 % without explicit confirmation. */
    CONFIRMATION_REQUIRED,
    /**
     * A rollout plan cannot make this move from where it is: advancing a paused plan, resuming a
     * running one, advancing past a tripped guard.
     */
    INVALID_STATE
  }

  private final Kind kind;
  private final long currentVersion;

  /** Creates the exception. */
  public FlagConflictException(Kind kind, String message) {
    this(kind, message, -1);
  }

  /**
   * Creates the exception for a thing now at {@code currentVersion} (for {@link Kind#STALE}: what
   * the caller should read again).
   */
  public FlagConflictException(Kind kind, String message, long currentVersion) {
    super(message);
    this.kind = kind;
    this.currentVersion = currentVersion;
  }

  /** The version the flag (or segment, or plan) is at now, when the refusal is about it. */
  public OptionalLong currentVersion() {
    return currentVersion < 0 ? OptionalLong.empty() : OptionalLong.of(currentVersion);
  }

  /** Why the change was refused. */
  public Kind kind() {
    return kind;
  }
}
