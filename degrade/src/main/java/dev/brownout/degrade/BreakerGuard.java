package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.lang.annotation.Annotation;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Applies {@link CircuitBreaker}: each call through the named breaker, which may refuse it. The
 * breaker records the outcome: a failure, or a result its result rule counts as one. For an
 * asynchronous method the outcome is the future's.
 */
final class BreakerGuard implements GuardFactory {
  private final Function<
          String, AtomicReference<io.github.resilience4j.circuitbreaker.CircuitBreaker>>
      holders;

  /** {@code holders} finds a declared breaker's holder, or throws naming the declared ones. */
  BreakerGuard(
      Function<String, AtomicReference<io.github.resilience4j.circuitbreaker.CircuitBreaker>>
          holders) {
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
    AtomicReference<io.github.resilience4j.circuitbreaker.CircuitBreaker> holder =
        holders.apply(annotation.get().value());
    if (Calls.isAsync(method)) {
      return Optional.of(
          (args, next) -> {
            io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = holder.get();
            if (!breaker.tryAcquirePermission()) {
              return CompletableFuture.failedFuture(
                  CallNotPermittedException.createCallNotPermittedException(breaker));
            }
            long start = breaker.getCurrentTimestamp();
            return Calls.start(next, args)
                .whenComplete(
                    (result, failure) -> {
                      long took = breaker.getCurrentTimestamp() - start;
                      if (failure != null) {
                        breaker.onError(took, breaker.getTimestampUnit(), failure);
                      } else {
                        breaker.onResult(took, breaker.getTimestampUnit(), result);
                      }
                    });
          });
    }
    return Optional.of(
        (args, next) -> {
          io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = holder.get();
          if (!breaker.tryAcquirePermission()) {
            throw CallNotPermittedException.createCallNotPermittedException(breaker);
          }
          long start = breaker.getCurrentTimestamp();
          Object result;
          try {
            result = next.proceed(args);
          } catch (Throwable failure) {
            throw failed(breaker, start, failure);
          }
          breaker.onResult(
              breaker.getCurrentTimestamp() - start, breaker.getTimestampUnit(), result);
          return result;
        });
  }

  // The cold path, out of line.
  private static Throwable failed(
      io.github.resilience4j.circuitbreaker.CircuitBreaker breaker, long start, Throwable failure) {
    breaker.onError(breaker.getCurrentTimestamp() - start, breaker.getTimestampUnit(), failure);
    return failure;
  }
}
