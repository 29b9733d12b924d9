package dev.brownout.degrade;

import dev.brownout.core.BrownoutException;
import dev.brownout.core.TransientFailure;

/**
 * A guarded call was refused at once, without running: every timeout thread is held by calls that
 * have not come back, or the retry budget is spent. Refusing fast is the point: a dependency that
 * hangs must not take every thread of the application with it. A {@link Fallback} takes it like any
 * transient failure.
 */
public class CallRejectedException extends BrownoutException implements TransientFailure {
  private static final long serialVersionUID = 1L;

  /** Creates the exception, saying which call was refused and why. */
  public CallRejectedException(String message) {
    super(message);
  }
}
