package dev.brownout.degrade;

import dev.brownout.core.guard.GuardAnnotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Holds calls to the named rate limiter's pace, declared in {@link Resilience}: a call beyond it
 * waits at most the limiter's timeout, then fails with Resilience4j's {@code RequestNotPermitted}
 * (or goes to the {@link Fallback}). For APIs with a quota.
 */
@Documented
@GuardAnnotation(providedBy = "Resilience.guards()")
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RateLimit {
  /**
   * Where this guard sits in the chain ({@link dev.brownout.core.guard.GuardFactory#order()}):
   * inside the breaker, outside the timeout.
   */
  int ORDER = 6000;

  /** The limiter's name, as declared with {@link Resilience.Builder#rateLimiter}. */
  String value();
}
