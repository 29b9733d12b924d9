package dev.brownout.degrade;

import dev.brownout.core.guard.GuardAnnotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * When a call fails (after its retries, or because its breaker is open or it timed out), answers
 * with the same method of {@link #value()}: a class implementing the same interface, so the
 * compiler checks the fallback's signature. It is created once, when the proxy is built; a class
 * that does not implement the interface or cannot be created is an error then, never at 3 a.m.
 */
@Documented
@GuardAnnotation(providedBy = "Resilience.guards()")
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Fallback {
  /**
   * Where this guard sits in the chain ({@link dev.brownout.core.guard.GuardFactory#order()}): it
   * sees the final outcome of everything inside it, once.
   */
  int ORDER = 3000;

  /** A class implementing the proxied interface, with a no-argument constructor. */
  Class<?> value();

  /** The failures that go to the fallback; others propagate. Default: every exception. */
  Class<? extends Exception>[] on() default {Exception.class};
}
