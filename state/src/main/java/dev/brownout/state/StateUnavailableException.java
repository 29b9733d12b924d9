package dev.brownout.state;

import dev.brownout.core.TransientFailure;
import org.jspecify.annotations.Nullable;

/**
 * The store could not be reached or did not answer within its timeout. The operation may or may not
 * have taken effect; callers apply their designed degradation (last known flags, the session
 * store-down policy, browse-only mode) rather than treating it as "no such record".
 */
public class StateUnavailableException extends StateException implements TransientFailure {
  private static final long serialVersionUID = 1L;

  /** Creates the exception, naming the store and the operation in the message. */
  public StateUnavailableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
