package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import java.lang.annotation.Annotation;
import java.util.Optional;
import java.util.Set;

/** Applies {@link Bulkhead}: a call holds one of the named bulkhead's slots while it runs. */
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
    String name = annotation.get().value();
    io.github.resilience4j.bulkhead.Bulkhead bulkhead =
        Declared.named(
            "@Bulkhead",
            name,
            bulkheads.find(name),
            () -> bulkheads.getAllBulkheads().stream().map(b -> b.getName()));
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
