package dev.brownout.degrade;

import dev.brownout.core.BrownoutException;
import dev.brownout.core.TransientFailure;

/**
 * The failure a fault-injection experiment put into a guarded call on purpose. Transient, like the
 * dependency failure it stands for: breakers count it, retries retry it, fallbacks take it.
 */
public class InjectedFaultException extends BrownoutException implements TransientFailure {
  private static final long serialVersionUID = 1L;

  private final String experiment;

  /** Creates the failure of {@code experiment} in {@code operation}. */
  public InjectedFaultException(String experiment, String operation) {
    super(operation + " failed on purpose: fault-injection experiment '" + experiment + "'");
    this.experiment = experiment;
  }

  /** The experiment that injected it. */
  public String experiment() {
    return experiment;
  }
}
