package dev.brownout.degrade;

import dev.brownout.core.TransientFailure;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.concurrent.TimeoutException;

/**
 * Which failures are the dependency's and may pass with time, so that a fallback or the next
 * provider may answer: I/O failures, timeouts, a breaker or bulkhead or rate limiter refusing,
 * anything marked {@link TransientFailure}. Everything else (an {@code IllegalArgumentException}, a
 * {@code NullPointerException}, a business refusal such as a declined card) is the caller's to see:
 * a fallback would hide a bug, and a second vendor must not be asked for what the first declined.
 */
final class Failures {
  private Failures() {}

  static boolean isTransient(Throwable failure) {
    return failure instanceof IOException
        || failure instanceof UncheckedIOException
        || failure instanceof TimeoutException
        || failure instanceof CallTimeoutException
        || failure instanceof CallNotPermittedException
        || failure instanceof BulkheadFullException
        || failure instanceof RequestNotPermitted
        || failure instanceof SQLTransientException
        || failure instanceof SQLRecoverableException
        || failure instanceof TransientFailure;
  }

  /** Whether {@code failure} is one of {@code types}, or transient when there are none. */
  static boolean matches(Throwable failure, java.util.List<Class<? extends Throwable>> types) {
    if (types.isEmpty()) {
      return isTransient(failure);
    }
    for (Class<? extends Throwable> type : types) {
      if (type.isInstance(failure)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code failure} is one of {@code types}, or transient when there are none. */
  static boolean matches(Throwable failure, Class<? extends Throwable>[] types) {
    if (types.length == 0) {
      return isTransient(failure);
    }
    for (Class<? extends Throwable> type : types) {
      if (type.isInstance(failure)) {
        return true;
      }
    }
    return false;
  }
}
