package dev.brownout.degrade;

import dev.brownout.core.guard.GuardAnnotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Protects a call with the named circuit breaker, declared in {@link Resilience}. While it is open,
 * calls fail at once with Resilience4j's {@code CallNotPermittedException}, or go to the {@link
 * Fallback}.
 */
@Documented
@GuardAnnotation(providedBy = "Resilience.guards()")
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface CircuitBreaker {
  /**
   * Where this guard sits in the chain ({@link dev.brownout.core.guard.GuardFactory#order()}):
   * inside {@link Retry} so every attempt is counted.
   */
  int ORDER = 5000;

  /** The breaker's name, as declared with {@link Resilience.Builder#circuitBreaker}. */
  String value();
}
