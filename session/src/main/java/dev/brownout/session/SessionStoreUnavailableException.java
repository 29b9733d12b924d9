package dev.brownout.session;

import dev.brownout.core.BrownoutException;

/**
 * The session store could not be reached, and the {@link StoreDownPolicy} says to refuse the
 * request. Thrown by {@code getSession}; the session filter turns it into a {@code 503} with
 * problem+json, so an application need not catch it (and should not turn it into a 500).
 */
public final class SessionStoreUnavailableException extends BrownoutException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public SessionStoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
