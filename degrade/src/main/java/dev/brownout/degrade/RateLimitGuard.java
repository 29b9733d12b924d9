package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import java.lang.annotation.Annotation;
import java.util.Optional;
import java.util.Set;

/** Applies {@link RateLimit}: a call waits for, or is refused, a permit of the named limiter. */
final class RateLimitGuard implements GuardFactory {
  private final RateLimiterRegistry rateLimiters;

  RateLimitGuard(RateLimiterRegistry rateLimiters) {
    this.rateLimiters = rateLimiters;
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
    String name = annotation.get().value();
    RateLimiter limiter =
        Declared.named(
            "@RateLimit",
            name,
            rateLimiters.find(name),
            () -> rateLimiters.getAllRateLimiters().stream().map(r -> r.getName()));
    return Optional.of(
        (args, next) -> {
          RateLimiter.waitForPermission(limiter);
          return next.proceed(args);
        });
  }
}
