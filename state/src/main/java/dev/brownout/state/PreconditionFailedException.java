package dev.brownout.state;

import java.util.OptionalLong;

/** The write's precondition did not hold; nothing changed. */
public class PreconditionFailedException extends StateException {
  private static final long serialVersionUID = 1L;

  private final long currentVersion;

  /**
   * Creates the exception.
   *
   * @param currentVersion the record's version now, or {@code -1} if it is absent or unknown
   */
  public PreconditionFailedException(String message, long currentVersion) {
    super(message, null);
    this.currentVersion = currentVersion;
  }

  /** The record's version when the write was refused, if the store said. */
  public OptionalLong currentVersion() {
    return currentVersion < 0 ? OptionalLong.empty() : OptionalLong.of(currentVersion);
  }
}
