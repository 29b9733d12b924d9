package dev.brownout.session;

import dev.brownout.core.BrownoutException;
import org.jspecify.annotations.Nullable;

/**
 * A session attribute cannot be encoded or decoded. The message names the attribute and the reason,
 * never the attribute's content.
 */
public final class SessionCodecException extends BrownoutException {
  private static final long serialVersionUID = 1L;

  private final String attribute;

  /** Creates an exception about {@code attribute}. */
  public SessionCodecException(String attribute, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.attribute = attribute;
  }

  /** The attribute's name. */
  public String attribute() {
    return attribute;
  }
}
