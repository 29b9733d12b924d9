package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import dev.brownout.core.metrics.BrownoutMetrics;
import java.lang.annotation.Annotation;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Applies {@link Fallback}: a call that fails, finally, with a failure the annotation accepts is
 * answered by the fallback's method, which may receive the failure. The fallback and its method are
 * found, and checked, when the proxy is built.
 */
final class FallbackGuard implements GuardFactory {
  private final Map<Class<?>, Object> instances;
  private final BrownoutMetrics metrics;

  /** {@code instances} are the fallbacks registered per interface. */
  FallbackGuard(Map<Class<?>, Object> instances, BrownoutMetrics metrics) {
    this.instances = instances;
    this.metrics = metrics;
  }

  @Override
  public int order() {
    return Fallback.ORDER;
  }

  @Override
  public Set<Class<? extends Annotation>> handles() {
    return Set.of(Fallback.class);
  }

  @Override
  public Optional<MethodGuard> create(GuardedMethod method) {
    Optional<Fallback> annotation = method.annotation(Fallback.class);
    if (annotation.isEmpty()) {
      return Optional.empty();
    }
    Calls.requireSupportedReturn(method, "@Fallback");
    FallbackMethod target = target(annotation.get(), method);
    Class<? extends Throwable>[] on = annotation.get().on();
    String operation = method.describe();
    if (Calls.isAsync(method)) {
      return Optional.of(
          (args, next) -> {
            IdempotencyKey.Slot idempotency = IdempotencyKey.enter();
            try {
              CallContext context = CallContext.capture();
              return Calls.start(next, args)
                  .exceptionallyCompose(
                      failure -> {
                        if (!Failures.matches(failure, on)) {
                          return CompletableFuture.failedFuture(failure);
                        }
                        taken(operation, failure);
                        try {
                          return context.call(
                              () -> Calls.start(a -> target.call(a, failure), args));
                        } catch (Exception e) {
                          return CompletableFuture.failedFuture(e);
                        }
                      });
            } finally {
              IdempotencyKey.exit(idempotency);
            }
          });
    }
    return Optional.of(
        (args, next) -> {
          IdempotencyKey.Slot idempotency = IdempotencyKey.enter();
          try {
            return next.proceed(args);
          } catch (Exception failure) {
            if (!Failures.matches(failure, on)) {
              throw failure;
            }
            taken(operation, failure);
            return target.call(args, failure);
          } finally {
            IdempotencyKey.exit(idempotency);
          }
        });
  }

  private void taken(String operation, Throwable failure) {
    metrics
        .counter(ResilienceMeters.FALLBACKS, operation, failure.getClass().getSimpleName())
        .increment();
  }

  private FallbackMethod target(Fallback annotation, GuardedMethod method) {
    Object instance;
    if (annotation.value() != Void.class) {
      instance = construct(annotation.value());
    } else {
      instance = instances.get(method.api());
      if (instance == null) {
        throw new IllegalArgumentException(
            "@Fallback names no class, and no fallback is registered for "
                + method.api().getName()
                + ": register one with Resilience.builder(store).fallback("
                + method.api().getSimpleName()
                + ".class, instance), or name a class in @Fallback(...)");
      }
    }
    return FallbackMethod.find("@Fallback", instance, method.method(), method.api());
  }

  private static Object construct(Class<?> type) {
    try {
      var constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      return constructor.newInstance();
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalArgumentException(
          "@Fallback "
              + type.getName()
              + " cannot be created with a no-argument constructor ("
              + e
              + "); register an instance with Resilience.builder(store).fallback(...) instead");
    }
  }
}
