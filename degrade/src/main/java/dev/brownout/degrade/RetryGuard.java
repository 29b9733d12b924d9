package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import dev.brownout.core.guard.Next;
import dev.brownout.core.metrics.BrownoutMetrics;
import java.lang.annotation.Annotation;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Applies {@link Retry}: a failed attempt, or a result the policy's result rule rejects, is tried
 * again as the named policy allows, within the retry's budget. Every attempt carries the same
 * {@link IdempotencyKey}. An asynchronous method waits between attempts on a scheduler, holding no
 * thread.
 */
final class RetryGuard implements GuardFactory {
  /** A declared retry: its live policy and its budget. */
  record Declared(
      AtomicReference<io.github.resilience4j.retry.Retry> retry, RetryBudget budget, String name) {}

  private final Function<String, Declared> retries;
  private final ScheduledExecutorService scheduler;
  private final BrownoutMetrics metrics;

  RetryGuard(
      Function<String, Declared> retries,
      ScheduledExecutorService scheduler,
      BrownoutMetrics metrics) {
    this.retries = retries;
    this.scheduler = scheduler;
    this.metrics = metrics;
  }

  @Override
  public int order() {
    return Retry.ORDER;
  }

  @Override
  public Set<Class<? extends Annotation>> handles() {
    return Set.of(Retry.class);
  }

  @Override
  public Optional<MethodGuard> create(GuardedMethod method) {
    Optional<Retry> annotation = method.annotation(Retry.class);
    if (annotation.isEmpty()) {
      return Optional.empty();
    }
    Calls.requireSupportedReturn(method, "@Retry");
    Declared declared = retries.apply(annotation.get().value());
    if (Calls.isAsync(method)) {
      return Optional.of(
          (args, next) -> {
            IdempotencyKey.Slot idempotency = IdempotencyKey.enter();
            try {
              declared.budget().deposit();
              io.github.resilience4j.retry.Retry.AsyncContext<Object> context =
                  declared.retry().get().asyncContext();
              // The first attempt runs here, on the caller's thread, in the caller's own context.
              CompletableFuture<Object> first = Calls.start(next, args);
              if (Calls.succeeded(first)) {
                Object result = first.getNow(null);
                long delay = context.onResult(result);
                if (delay < 0) {
                  context.onComplete();
                  return first;
                }
                CompletableFuture<Object> outcome = new CompletableFuture<>();
                settle(
                    declared,
                    context,
                    CallContext.capture(),
                    args,
                    next,
                    outcome,
                    result,
                    null,
                    delay);
                return outcome;
              }
              // Later attempts carry the caller's context, captured here, still on its thread and
              // inside the call (so the idempotency key is the one the first attempt had; an MDC
              // entry the first attempt left behind goes with them too).
              CompletableFuture<Object> outcome = new CompletableFuture<>();
              follow(declared, context, CallContext.capture(), args, next, outcome, first);
              return outcome;
            } finally {
              IdempotencyKey.exit(idempotency);
            }
          });
    }
    return Optional.of(
        (args, next) -> {
          IdempotencyKey.Slot idempotency = IdempotencyKey.enter();
          try {
            declared.budget().deposit();
            io.github.resilience4j.retry.Retry.Context<Object> context =
                declared.retry().get().context();
            Object result;
            try {
              result = next.proceed(args);
            } catch (Exception failure) {
              return retryAfter(declared, context, failure, args, next);
            }
            if (context.onResult(result)) {
              return retryAfterResult(declared, context, result, args, next);
            }
            context.onComplete();
            return result;
          } finally {
            IdempotencyKey.exit(idempotency);
          }
        });
  }

  // The cold paths, kept out of the guard so the successful call stays small enough to inline.
  private Object retryAfter(
      Declared declared,
      io.github.resilience4j.retry.Retry.Context<Object> context,
      Exception first,
      Object[] args,
      Next next)
      throws Throwable {
    // Throws the failure when it is not retryable or the attempts are used up; else waits.
    context.onError(first);
    Exception last = first;
    while (true) {
      if (!declared.budget().tryWithdraw()) {
        metrics.counter(ResilienceMeters.BUDGET_EXHAUSTED, declared.name()).increment();
        throw last;
      }
      Object result;
      try {
        result = next.proceed(args);
      } catch (Exception failure) {
        last = failure;
        context.onError(failure);
        continue;
      }
      if (context.onResult(result)) {
        return retryAfterResult(declared, context, result, args, next);
      }
      context.onComplete();
      return result;
    }
  }

  private Object retryAfterResult(
      Declared declared,
      io.github.resilience4j.retry.Retry.Context<Object> context,
      Object rejected,
      Object[] args,
      Next next)
      throws Throwable {
    Object last = rejected;
    while (true) {
      if (!declared.budget().tryWithdraw()) {
        metrics.counter(ResilienceMeters.BUDGET_EXHAUSTED, declared.name()).increment();
        return last;
      }
      Object result;
      try {
        result = next.proceed(args);
      } catch (Exception failure) {
        return retryAfter(declared, context, failure, args, next);
      }
      if (!context.onResult(result)) {
        context.onComplete();
        return result;
      }
      last = result;
    }
  }

  private void attempt(
      Declared declared,
      io.github.resilience4j.retry.Retry.AsyncContext<Object> context,
      CallContext callContext,
      Object[] args,
      Next next,
      CompletableFuture<Object> outcome) {
    CompletableFuture<Object> attempt;
    try {
      attempt = callContext.call(() -> Calls.start(next, args));
    } catch (Exception e) {
      attempt = CompletableFuture.failedFuture(e);
    }
    follow(declared, context, callContext, args, next, outcome, attempt);
  }

  private void follow(
      Declared declared,
      io.github.resilience4j.retry.Retry.AsyncContext<Object> context,
      CallContext callContext,
      Object[] args,
      Next next,
      CompletableFuture<Object> outcome,
      CompletableFuture<Object> attempt) {
    attempt.whenComplete(
        (result, failure) -> {
          long delay = failure != null ? context.onError(failure) : context.onResult(result);
          settle(declared, context, callContext, args, next, outcome, result, failure, delay);
        });
  }

  // After an attempt: done (delay < 0), or another attempt after the delay, within the budget.
  private void settle(
      Declared declared,
      io.github.resilience4j.retry.Retry.AsyncContext<Object> context,
      CallContext callContext,
      Object[] args,
      Next next,
      CompletableFuture<Object> outcome,
      @Nullable Object result,
      @Nullable Throwable failure,
      long delay) {
    if (delay < 0) {
      if (failure != null) {
        outcome.completeExceptionally(failure);
      } else {
        context.onComplete();
        outcome.complete(result);
      }
      return;
    }
    if (!declared.budget().tryWithdraw()) {
      metrics.counter(ResilienceMeters.BUDGET_EXHAUSTED, declared.name()).increment();
      if (failure != null) {
        outcome.completeExceptionally(failure);
      } else {
        outcome.complete(result);
      }
      return;
    }
    scheduler.schedule(
        () -> attempt(declared, context, callContext, args, next, outcome),
        delay,
        TimeUnit.MILLISECONDS);
  }
}
