package dev.brownout.degrade;

import dev.brownout.core.guard.GuardAnnotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs calls under the named adaptive {@link ConcurrencyLimiter}, declared in {@link Resilience}:
 * the limit follows the dependency's latency, so calls beyond what it can serve at its no-load
 * latency fail at once with {@link OverloadedException} (or go to the {@link Fallback}) instead of
 * queueing until they time out. Under overload the lowest {@link #priority()} is refused first.
 */
@Documented
@GuardAnnotation(providedBy = "Resilience.guards()")
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface ConcurrencyLimit {
  /**
   * Where this guard sits in the chain ({@link dev.brownout.core.guard.GuardFactory#order()}):
   * inside the timeout, outside the bulkhead, so it measures one attempt as the dependency serves
   * it, and an attempt that outlives its timeout still counts until it really ends.
   */
  int ORDER = 7500;

  /** The limiter's name, as declared with {@link Resilience.Builder#concurrencyLimit}. */
  String value();

  /** How much these calls matter when there is not room for all. */
  Priority priority() default Priority.NORMAL;
}
