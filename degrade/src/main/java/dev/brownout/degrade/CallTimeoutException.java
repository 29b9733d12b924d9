package dev.brownout.degrade;

import dev.brownout.core.BrownoutException;

/** A call guarded by {@link Timeout} took longer than its limit; the caller stopped waiting. */
public class CallTimeoutException extends BrownoutException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception for {@code operation} and its limit. */
  public CallTimeoutException(String operation, long millis) {
    super(operation + " did not answer within " + millis + " ms");
  }
}
