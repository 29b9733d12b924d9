package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import java.lang.annotation.Annotation;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Applies {@link RateLimit}: a call waits for, or is refused, a permit of the named limiter. An
 * asynchronous call reserves its permit and starts when it is due, on the scheduler, holding no
 * thread while it waits.
 */
final class RateLimitGuard implements GuardFactory {
  private final RateLimiterRegistry rateLimiters;
  private final ScheduledExecutorService scheduler;

  RateLimitGuard(RateLimiterRegistry rateLimiters, ScheduledExecutorService scheduler) {
    this.rateLimiters = rateLimiters;
    this.scheduler = scheduler;
  }

  @Override
  public int order() {
    return RateLimit.ORDER;
  }

  @Override
  public Set<Class<? extends Annotation>> handles() {
    return Set.of(RateLimit.class);
  }

  @Override
  public Optional<MethodGuard> create(GuardedMethod method) {
    Optional<RateLimit> annotation = method.annotation(RateLimit.class);
    if (annotation.isEmpty()) {
      return Optional.empty();
    }
    Calls.requireSupportedReturn(method, "@RateLimit");
    String name = annotation.get().value();
    RateLimiter limiter =
        Declared.named(
            "@RateLimit",
            name,
            rateLimiters.find(name),
            () -> rateLimiters.getAllRateLimiters().stream().map(r -> r.getName()));
    if (Calls.isAsync(method)) {
      return Optional.of(
          (args, next) -> {
            long wait = limiter.reservePermission();
            if (wait < 0) {
              return CompletableFuture.failedFuture(
                  RequestNotPermitted.createRequestNotPermitted(limiter));
            }
            if (wait == 0) {
              return Calls.start(next, args);
            }
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            CallContext context = CallContext.capture();
            scheduler.schedule(
                () ->
                    context.run(
                        () ->
                            Calls.start(next, args)
                                .whenComplete(
                                    (result, failure) -> {
                                      if (failure != null) {
                                        outcome.completeExceptionally(failure);
                                      } else {
                                        outcome.complete(result);
                                      }
                                    })),
                wait,
                TimeUnit.NANOSECONDS);
            return outcome;
          });
    }
    return Optional.of(
        (args, next) -> {
          RateLimiter.waitForPermission(limiter);
          return next.proceed(args);
        });
  }
}
