package dev.brownout.degrade;

import dev.brownout.core.guard.GuardAnnotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * When a call fails with a transient failure (after its retries, or because its breaker is open, it
 * timed out, or it was refused), answers with the fallback's method of the same name and
 * parameters. The fallback is either an instance registered for the interface ({@link
 * Resilience.Builder#fallback}: it can hold its own dependencies, a queue or a cache, and need not
 * implement the whole interface) or, with {@link #value()}, a class with a no-argument constructor.
 * A fallback method may take the failure as an extra last parameter ({@code Throwable} or {@code
 * Exception}). Everything is checked when the proxy is built, never at 3 a.m.
 *
 * <p>Only transient failures go to the fallback by default: I/O failures, timeouts, refusals by a
 * breaker, bulkhead or rate limiter, and anything marked {@link
 * dev.brownout.core.TransientFailure}. A programming error or a business refusal reaches the
 * caller. {@link #on()} chooses other types.
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

  /**
   * A class with a no-argument constructor whose method answers; default none, and the instance
   * registered for the interface with {@link Resilience.Builder#fallback} answers.
   */
  Class<?> value() default Void.class;

  /** The failures that go to the fallback; default the transient ones listed above. */
  Class<? extends Throwable>[] on() default {};
}
