package dev.brownout.state;

import dev.brownout.core.BrownoutException;
import org.jspecify.annotations.Nullable;

/** A store operation failed; the subtypes say how. */
public class StateException extends BrownoutException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public StateException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
