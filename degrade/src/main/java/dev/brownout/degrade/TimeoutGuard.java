package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import dev.brownout.core.metrics.BrownoutMetrics;
import java.lang.annotation.Annotation;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

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
            Object returned;
            try {
              returned = next.proceed(args);
            } catch (Throwable failure) {
              return CompletableFuture.failedFuture(failure);
            }
            if (!(returned instanceof CompletionStage<?> stage)
                || (stage instanceof CompletableFuture<?> future && Calls.settled(future))) {
              // Null, or settled when returned (a cached answer, a refusal): it cannot be late, so
              // no deadline is scheduled.
              return Calls.outcome(returned);
            }
            Deadline deadline = new Deadline(operation, limit.get());
            deadline.start(stage, threads.scheduler());
            return deadline.bounded;
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

  /**
   * A pending call's deadline: {@link #bounded}, the future the caller gets, fails with {@link
   * CallTimeoutException} at the deadline unless the call settles first. One object is both the
   * scheduled task and the call's completion action.
   */
  private final class Deadline implements Callable<Void>, BiConsumer<Object, Throwable> {
    final CompletableFuture<Object> bounded = new CompletableFuture<>();
    private final String operation;
    private final long millis;
    // Set before the completion action is registered, so accept always sees it.
    private @Nullable ScheduledFuture<?> timer;

    Deadline(String operation, long millis) {
      this.operation = operation;
      this.millis = millis;
    }

    void start(CompletionStage<?> attempt, ScheduledExecutorService scheduler) {
      timer = scheduler.schedule(this, millis, TimeUnit.MILLISECONDS);
      attempt.whenComplete(this);
    }

    /** The deadline passed. */
    @Override
    public Void call() {
      if (bounded.completeExceptionally(new CallTimeoutException(operation, millis))) {
        metrics.counter(ResilienceMeters.TIMEOUTS, operation).increment();
      }
      return null;
    }

    /** The call settled. */
    @Override
    public void accept(@Nullable Object value, @Nullable Throwable failure) {
      ScheduledFuture<?> scheduled = timer;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
      if (failure != null) {
        bounded.completeExceptionally(Calls.unwrap(failure));
      } else {
        bounded.complete(value);
      }
    }
  }
}
