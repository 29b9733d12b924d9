package dev.brownout.core.guard;

import java.lang.reflect.Method;

/**
 * One call of a guarded method, as a guard sees it. {@link #proceed()} runs the rest of the chain
 * and then the target; a guard may call it once (most), several times (retry), on another thread
 * (timeout), or not at all (a flag that is off, an open circuit breaker).
 */
public interface Invocation {

  /** The interface method called. */
  Method method();

  /** The arguments; guards must not change them. */
  Object[] arguments();

  /** The object the proxy wraps. */
  Object target();

  /**
   * Runs the rest of the chain and the target method, returning its result. Exceptions from the
   * target come out unwrapped, exactly as the target threw them.
   */
  Object proceed() throws Throwable;
}
