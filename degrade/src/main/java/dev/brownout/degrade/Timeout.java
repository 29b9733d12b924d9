package dev.brownout.degrade;

import dev.brownout.core.guard.GuardAnnotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Bounds one attempt of a call, synchronous methods included: the call runs on one of a bounded set
 * of Brownout threads (with the caller's MDC, OpenTelemetry context and {@link IdempotencyKey}) and
 * the caller waits at most this long, then gets {@link CallTimeoutException}. An attempt that
 * ignores its interrupt keeps its thread until it ends, so a vendor that hangs holds at most {@code
 * brownout.degrade.timeout.max-threads} threads; further calls are refused at once ({@link
 * CallRejectedException}). An asynchronous method ({@code CompletionStage}) needs no thread: the
 * future its caller gets is failed at the deadline. The method's own future is left to finish, not
 * cancelled: it may be shared (a client that coalesces identical requests hands one future to many
 * callers), and one caller's deadline must not fail the others.
 *
 * <p>Either name a timeout declared with {@link Resilience.Builder#timeout}
 * ({@code @Timeout("payments")}), whose limit the admin API can change at run time, or give the
 * limit here ({@code @Timeout(millis = 300)}).
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

  /**
   * A timeout declared with {@link Resilience.Builder#timeout}; or leave it empty and give millis.
   */
  String value() default "";

  /** The limit in milliseconds, at least 1, when no declared timeout is named. */
  long millis() default -1;
}
