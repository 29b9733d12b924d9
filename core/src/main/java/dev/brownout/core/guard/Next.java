package dev.brownout.core.guard;

/**
 * The rest of a method's chain: the guards after this one, then the target. Built once per method
 * when the proxy is built and immutable, so a guard may proceed once (most), several times (retry),
 * on another thread (timeout), or not at all (a feature that is off, an open circuit breaker).
 */
@FunctionalInterface
public interface Next {

  /**
   * Runs the rest of the chain and the target method, returning its result. Exceptions from the
   * target come out unwrapped, exactly as the target threw them.
   */
  Object proceed(Object[] args) throws Throwable;
}
