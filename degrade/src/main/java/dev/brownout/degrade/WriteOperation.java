package dev.brownout.degrade;

import dev.brownout.core.guard.GuardAnnotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method, or every method of a type, as a write: while the application is browse-only it
 * fails with {@link ReadOnlyModeException} instead of running. Works for any caller: HTTP handlers,
 * schedulers, message consumers. A method marked {@link ReadOnlySafe} in a type marked {@code
 * WriteOperation} still runs.
 */
@Documented
@GuardAnnotation(providedBy = "readMode.guards()")
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface WriteOperation {
  /**
   * Where this guard sits in the chain ({@link dev.brownout.core.guard.GuardFactory#order()}):
   * after feature flags, before retries and breakers, so a refused write is neither retried nor
   * counted as a failure.
   */
  int ORDER = 2000;
}
