package dev.brownout.degrade;

import dev.brownout.core.guard.GuardAnnotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Bounds how many calls run at once with the named bulkhead, declared in {@link Resilience}; a call
 * that finds it full waits at most its configured wait, then fails with Resilience4j's {@code
 * BulkheadFullException} (or goes to the {@link Fallback}). So a slow dependency holds a few
 * threads, never all of them.
 */
@Documented
@GuardAnnotation(providedBy = "Resilience.guards()")
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Bulkhead {
  /**
   * Where this guard sits in the chain ({@link dev.brownout.core.guard.GuardFactory#order()}):
   * innermost, so a slot is held only while the call runs.
   */
  int ORDER = 8000;

  /** The bulkhead's name, as declared with {@link Resilience.Builder#bulkhead}. */
  String value();
}
