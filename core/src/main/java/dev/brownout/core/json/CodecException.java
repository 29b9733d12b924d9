package dev.brownout.core.json;

import dev.brownout.core.BrownoutException;
import org.jspecify.annotations.Nullable;

/**
 * Input could not be decoded (malformed JSON, a field of the wrong type, an unknown field) or a
 * value could not be encoded. The message names where in the input the problem is and never repeats
 * the input itself, which may hold secrets.
 */
public class CodecException extends BrownoutException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that locates the problem. */
  public CodecException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
