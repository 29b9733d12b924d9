package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.lang.annotation.Annotation;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Applies {@link CircuitBreaker}: each call through the named breaker, which may refuse it. The
 * breaker records the outcome: a failure, or a result its result rule counts as one. For an
 * asynchronous method the outcome is the future's.
 */
final class BreakerGuard implements GuardFactory {
  private final Function<String, BreakerHolder> holders;

  /** {@code holders} finds a declared breaker's holder, or throws naming the declared ones. */
  BreakerGuard(Function<String, BreakerHolder> holders) {
    this.holders = holders;
  }

  @Override
  public int order() {
    return CircuitBreaker.ORDER;
  }

  @Override
  public Set<Class<? extends Annotation>> handles() {
    return Set.of(CircuitBreaker.class);
  }

  @Override
  public Optional<MethodGuard> create(GuardedMethod method) {
    Optional<CircuitBreaker> annotation = method.annotation(CircuitBreaker.class);
    if (annotation.isEmpty()) {
      return Optional.empty();
    }
    Calls.requireSupportedReturn(method, "@CircuitBreaker");
    // The holder, not the breaker: live reconfiguration swaps the breaker and takes effect at once.
    BreakerHolder holder = holders.apply(annotation.get().value());
    if (Calls.isAsync(method)) {
      return Optional.of(
          (args, next) -> {
            io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = holder.get();
            if (!holder.tryAcquirePermission(breaker)) {
              return CompletableFuture.failedFuture(
                  CallNotPermittedException.createCallNotPermittedException(breaker));
            }
            long start = breaker.getCurrentTimestamp();
            CompletableFuture<Object> call = Calls.start(next, args);
            if (Calls.succeeded(call)) {
              holder.onResult(breaker, start, call.getNow(null));
              return call;
            }
            return call.whenComplete(
                (result, failure) -> {
                  if (failure != null) {
                    holder.onError(breaker, start, failure);
                  } else {
                    holder.onResult(breaker, start, result);
                  }
                });
          });
    }
    return Optional.of(
        (args, next) -> {
          io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = holder.get();
          if (!holder.tryAcquirePermission(breaker)) {
            throw CallNotPermittedException.createCallNotPermittedException(breaker);
          }
          long start = breaker.getCurrentTimestamp();
          Object result;
          try {
            result = next.proceed(args);
          } catch (Throwable failure) {
            throw failed(holder, breaker, start, failure);
          }
          holder.onResult(breaker, start, result);
          return result;
        });
  }

  // The cold path, out of line.
  private static Throwable failed(
      BreakerHolder holder,
      io.github.resilience4j.circuitbreaker.CircuitBreaker breaker,
      long start,
      Throwable failure) {
    holder.onError(breaker, start, failure);
    return failure;
  }
}
