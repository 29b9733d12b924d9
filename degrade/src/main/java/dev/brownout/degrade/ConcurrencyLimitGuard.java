package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import java.io.InterruptedIOException;
import java.lang.annotation.Annotation;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Applies {@link ConcurrencyLimit}: a call takes a permit of the named limiter or is refused at
 * once; when it ends, its latency feeds the limit. A timeout (or a dependency refusing as too busy)
 * makes the limit back off; any other transient failure (a refused connection, an I/O error, an
 * injected fault) says nothing about how fast the dependency serves and is not timed; every other
 * outcome, a business refusal or a bug included, is the dependency's real latency. An asynchronous
 * call holds its permit until its future completes.
 */
final class ConcurrencyLimitGuard implements GuardFactory {
  private final Function<String, ConcurrencyLimiter> declared;

  /** {@code declared} finds a declared limiter, or throws naming them. */
  ConcurrencyLimitGuard(Function<String, ConcurrencyLimiter> declared) {
    this.declared = declared;
  }

  @Override
  public int order() {
    return ConcurrencyLimit.ORDER;
  }

  @Override
  public Set<Class<? extends Annotation>> handles() {
    return Set.of(ConcurrencyLimit.class);
  }

  @Override
  public Optional<MethodGuard> create(GuardedMethod method) {
    Optional<ConcurrencyLimit> annotation = method.annotation(ConcurrencyLimit.class);
    if (annotation.isEmpty()) {
      return Optional.empty();
    }
    Calls.requireSupportedReturn(method, "@ConcurrencyLimit");
    ConcurrencyLimiter limiter = declared.apply(annotation.get().value());
    Priority priority = annotation.get().priority();
    String operation = method.describe();
    if (Calls.isAsync(method)) {
      return Optional.of(
          (args, next) -> {
            long permit = limiter.tryAcquire(priority);
            if (permit == ConcurrencyLimiter.REJECTED) {
              return CompletableFuture.failedFuture(refused(operation, limiter, priority));
            }
            return Calls.start(next, args)
                .whenComplete((result, failure) -> finish(limiter, permit, failure));
          });
    }
    return Optional.of(
        (args, next) -> {
          long permit = limiter.tryAcquire(priority);
          if (permit == ConcurrencyLimiter.REJECTED) {
            throw refused(operation, limiter, priority);
          }
          Object result;
          try {
            result = next.proceed(args);
          } catch (Throwable failure) {
            finish(limiter, permit, failure);
            throw failure;
          }
          limiter.onSuccess(permit);
          return result;
        });
  }

  private static OverloadedException refused(
      String operation, ConcurrencyLimiter limiter, Priority priority) {
    return new OverloadedException(operation, limiter.name(), priority, limiter.limit());
  }

  /** Ends the permit as the outcome says. */
  static void finish(ConcurrencyLimiter limiter, long permit, @Nullable Throwable failure) {
    if (failure == null) {
      limiter.onSuccess(permit);
      return;
    }
    Throwable cause = Calls.unwrap(failure);
    if (isOverload(cause)) {
      limiter.onDropped(permit);
    } else if (Failures.isTransient(cause)) {
      limiter.onIgnore(permit);
    } else {
      limiter.onSuccess(permit);
    }
  }

  /** Whether a failure is a sign the dependency is past what it can serve. */
  static boolean isOverload(Throwable failure) {
    return failure instanceof CallTimeoutException
        || failure instanceof TimeoutException
        || failure instanceof InterruptedIOException
        || failure instanceof BulkheadFullException
        || failure instanceof OverloadedException;
  }
}
