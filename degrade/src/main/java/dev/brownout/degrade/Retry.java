package dev.brownout.degrade;

import dev.brownout.core.guard.GuardAnnotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Retries a failed call with the named retry policy, declared in {@link Resilience}. Each attempt
 * passes through the circuit breaker, if any.
 */
@Documented
@GuardAnnotation(providedBy = "Resilience.guards()")
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Retry {
  /**
   * Where this guard sits in the chain ({@link dev.brownout.core.guard.GuardFactory#order()}):
   * inside {@link Fallback}, outside the breaker.
   */
  int ORDER = 4000;

  /** The policy's name, as declared with {@link Resilience.Builder#retry}. */
  String value();
}
