package dev.brownout.flags;

import dev.brownout.core.BrownoutException;

/** A change to a flag cannot be made as asked; the kind says why, and nothing changed. */
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
    /** Deleting a flag that others list as a prerequisite, or making a prerequisite cycle. */
    IN_USE,
    /** A jump from 0 % to 100 % without explicit confirmation. */
    CONFIRMATION_REQUIRED
  }

  private final Kind kind;

  /** Creates the exception. */
  public FlagConflictException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /** Why the change was refused. */
  public Kind kind() {
    return kind;
  }
}
