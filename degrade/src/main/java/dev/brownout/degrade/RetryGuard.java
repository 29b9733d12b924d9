package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import dev.brownout.core.guard.Next;
import io.github.resilience4j.retry.RetryRegistry;
import java.lang.annotation.Annotation;
import java.util.Optional;
import java.util.Set;

/** Applies {@link Retry}: a failed attempt is tried again as the named policy allows. */
final class RetryGuard implements GuardFactory {
  private final RetryRegistry retries;

  RetryGuard(RetryRegistry retries) {
    this.retries = retries;
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
    String name = annotation.get().value();
    io.github.resilience4j.retry.Retry retry =
        Declared.named(
            "@Retry",
            name,
            retries.find(name),
            () -> retries.getAllRetries().stream().map(r -> r.getName()));
    return Optional.of(
        (args, next) -> {
          io.github.resilience4j.retry.Retry.Context<Object> context = retry.context();
          Object result;
          try {
            result = next.proceed(args);
          } catch (Exception failure) {
            return retryAfter(context, failure, args, next);
          }
          context.onComplete();
          return result;
        });
  }

  // The cold path, kept out of the guard so the successful call stays small enough to inline.
  private static Object retryAfter(
      io.github.resilience4j.retry.Retry.Context<Object> context,
      Exception first,
      Object[] args,
      Next next)
      throws Throwable {
    // Throws the failure when it is not retryable or the attempts are used up; else waits.
    context.onError(first);
    while (true) {
      try {
        Object result = next.proceed(args);
        context.onComplete();
        return result;
      } catch (Exception failure) {
        context.onError(failure);
      }
    }
  }
}
