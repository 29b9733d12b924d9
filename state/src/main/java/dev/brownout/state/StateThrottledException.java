package dev.brownout.state;

import org.jspecify.annotations.Nullable;

/** The store refused the operation for capacity after its own retries (DynamoDB throttling). */
public class StateThrottledException extends StateUnavailableException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public StateThrottledException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
