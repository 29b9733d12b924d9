package dev.brownout.degrade;

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
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RateLimit {
  /** The limiter's name, as declared with {@link Resilience.Builder#rateLimiter}. */
  String value();
}
