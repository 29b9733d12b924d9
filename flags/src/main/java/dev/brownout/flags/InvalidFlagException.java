package dev.brownout.flags;

import dev.brownout.core.BrownoutException;
import java.util.List;

/** A flag definition is invalid; it lists every problem, and nothing was changed. */
public class InvalidFlagException extends BrownoutException {
  private static final long serialVersionUID = 1L;

  private final transient List<String> problems;

  /** Creates the exception for one or more problems with the flag {@code key}. */
  public InvalidFlagException(String key, List<String> problems) {
    super("flag '" + key + "' is invalid: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem, each naming the field it is about. */
  public List<String> problems() {
    return problems;
  }
}
