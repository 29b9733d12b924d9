package dev.brownout.degrade;

/**
 * Checks whether the write path works again, while it is tripped. It should be cheap and honest: a
 * write that is rolled back, or asking the primary whether it accepts writes. Throwing, or
 * returning false, means "not yet".
 */
@FunctionalInterface
public interface WriteProbe {
  /** Whether writes work now. */
  boolean writable() throws Exception;
}
