package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import java.lang.annotation.Annotation;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Applies {@link Bulkhead}: a call holds one of the named bulkhead's slots while it runs; for an
 * asynchronous method, until its future completes. An asynchronous call never waits for a slot: it
 * is refused at once when the bulkhead is full.
 */
final class BulkheadGuard implements GuardFactory {
  private final BulkheadRegistry bulkheads;

  BulkheadGuard(BulkheadRegistry bulkheads) {
    this.bulkheads = bulkheads;
  }

  @Override
  public int order() {
    return Bulkhead.ORDER;
  }

  @Override
  public Set<Class<? extends Annotation>> handles() {
    return Set.of(Bulkhead.class);
  }

  @Override
  public Optional<MethodGuard> create(GuardedMethod method) {
    Optional<Bulkhead> annotation = method.annotation(Bulkhead.class);
    if (annotation.isEmpty()) {
      return Optional.empty();
    }
    Calls.requireSupportedReturn(method, "@Bulkhead");
    String name = annotation.get().value();
    io.github.resilience4j.bulkhead.Bulkhead bulkhead =
        Declared.named(
            "@Bulkhead",
            name,
            bulkheads.find(name),
            () -> bulkheads.getAllBulkheads().stream().map(b -> b.getName()));
    if (Calls.isAsync(method)) {
      return Optional.of(
          (args, next) -> {
            if (!bulkhead.tryAcquirePermission()) {
              return CompletableFuture.failedFuture(
                  BulkheadFullException.createBulkheadFullException(bulkhead));
            }
            return Calls.start(next, args).whenComplete((result, failure) -> bulkhead.onComplete());
          });
    }
    return Optional.of(
        (args, next) -> {
          bulkhead.acquirePermission();
          try {
            return next.proceed(args);
          } finally {
            bulkhead.onComplete();
          }
        });
  }
}
