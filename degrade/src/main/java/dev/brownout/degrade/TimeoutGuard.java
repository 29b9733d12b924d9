package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import dev.brownout.core.metrics.BrownoutMetrics;
import java.lang.annotation.Annotation;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Applies {@link Timeout}. A synchronous attempt runs on {@link TimeoutThreads}, bounded; an
 * asynchronous one stays where it is and its future is failed at the deadline by the scheduler.
 */
final class TimeoutGuard implements GuardFactory {
  private final TimeoutThreads threads;
  private final Function<String, AtomicLong> declared;
  private final BrownoutMetrics metrics;

  /** {@code declared} finds a declared timeout's live limit in millis, or throws naming them. */
  TimeoutGuard(
      TimeoutThreads threads, Function<String, AtomicLong> declared, BrownoutMetrics metrics) {
    this.threads = threads;
    this.declared = declared;
    this.metrics = metrics;
  }

  @Override
  public int order() {
    return Timeout.ORDER;
  }

  @Override
  public Set<Class<? extends Annotation>> handles() {
    return Set.of(Timeout.class);
  }

  @Override
  public Optional<MethodGuard> create(GuardedMethod method) {
    Optional<Timeout> annotation = method.annotation(Timeout.class);
    if (annotation.isEmpty()) {
      return Optional.empty();
    }
    Calls.requireSupportedReturn(method, "@Timeout");
    AtomicLong limit = limit(annotation.get());
    String operation = method.describe();
    if (Calls.isAsync(method)) {
      return Optional.of(
          (args, next) -> {
            long millis = limit.get();
            CompletableFuture<Object> attempt = Calls.start(next, args);
            CompletableFuture<Object> bounded = new CompletableFuture<>();
            ScheduledFuture<?> deadline =
                threads
                    .scheduler()
                    .schedule(
                        () -> {
                          if (bounded.completeExceptionally(
                              new CallTimeoutException(operation, millis))) {
                            metrics.counter(ResilienceMeters.TIMEOUTS, operation).increment();
                            attempt.cancel(true);
                          }
                        },
                        millis,
                        TimeUnit.MILLISECONDS);
            attempt.whenComplete(
                (result, failure) -> {
                  deadline.cancel(false);
                  if (failure != null) {
                    bounded.completeExceptionally(failure);
                  } else {
                    bounded.complete(result);
                  }
                });
            return bounded;
          });
    }
    return Optional.of(
        (args, next) ->
            threads.run(
                operation,
                limit.get(),
                () -> {
                  try {
                    return next.proceed(args);
                  } catch (Exception | Error e) {
                    throw e;
                  } catch (Throwable t) {
                    throw new ExecutionException(t);
                  }
                }));
  }

  private AtomicLong limit(Timeout timeout) {
    boolean named = !timeout.value().isEmpty();
    if (named && timeout.millis() != -1) {
      throw new IllegalArgumentException(
          "@Timeout names '"
              + timeout.value()
              + "' and gives millis = "
              + timeout.millis()
              + "; keep one (a declared timeout can be changed at run time)");
    }
    if (named) {
      return declared.apply(timeout.value());
    }
    if (timeout.millis() < 1) {
      throw new IllegalArgumentException(
          "@Timeout must be at least 1 ms but was "
              + timeout.millis()
              + "; give millis, or name a timeout declared with Resilience.Builder.timeout");
    }
    return new AtomicLong(timeout.millis());
  }
}
