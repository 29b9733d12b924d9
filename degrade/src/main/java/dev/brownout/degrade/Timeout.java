package dev.brownout.degrade;

import dev.brownout.core.guard.GuardAnnotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Bounds one attempt of a call, synchronous methods included: the call runs on a Brownout thread
 * (with the caller's MDC) and the caller waits at most this long, then gets {@link
 * CallTimeoutException}.
 */
@Documented
@GuardAnnotation(providedBy = "Resilience.guards()")
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Timeout {
  /**
   * Where this guard sits in the chain ({@link dev.brownout.core.guard.GuardFactory#order()}): it
   * bounds one attempt.
   */
  int ORDER = 7000;

  /** The limit in milliseconds, at least 1. */
  long millis();
}
