package dev.brownout.flags;

import dev.brownout.core.BrownoutException;

/**
 * A method guarded by {@link FeatureFlag} was called while its flag is off, and has no fallback.
 */
public class FeatureDisabledException extends BrownoutException {
  private static final long serialVersionUID = 1L;

  private final String flag;

  /** Creates the exception for {@code flag}, off for {@code reason}. */
  public FeatureDisabledException(String flag, String method, FlagEvaluation.Reason reason) {
    super(
        "feature '"
            + flag
            + "' is off ("
            + reason.name().toLowerCase(java.util.Locale.ROOT)
            + "), so "
            + method
            + " is unavailable");
    this.flag = flag;
  }

  /** The flag that is off. */
  public String flag() {
    return flag;
  }
}
