package dev.brownout.core;

import org.jspecify.annotations.Nullable;

/**
 * The base of every exception Brownout throws on purpose. Each module adds typed subclasses (a
 * store that cannot be reached, a write refused in browse-only mode, a configuration that does not
 * validate) so that callers can catch exactly what they can handle, or this type to catch them all.
 */
public class BrownoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that says what went wrong and, where possible, what to do.
   */
  public BrownoutException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the failure that caused it. */
  public BrownoutException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
