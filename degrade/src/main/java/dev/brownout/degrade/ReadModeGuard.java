package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import java.lang.annotation.Annotation;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Applies {@link WriteOperation} and {@link ReadOnlySafe} to service methods through {@link
 * dev.brownout.core.guard.GuardedProxies}, at {@link WriteOperation#ORDER}: after feature flags,
 * before retries and breakers, so a refused write is neither retried nor counted as a failure of
 * anything. Made by {@link ReadMode#guards()}.
 */
final class ReadModeGuard implements GuardFactory {
  private final ReadMode readMode;

  ReadModeGuard(ReadMode readMode) {
    this.readMode = Objects.requireNonNull(readMode, "readMode");
  }

  @Override
  public int order() {
    return WriteOperation.ORDER;
  }

  @Override
  public Set<Class<? extends Annotation>> handles() {
    return Set.of(WriteOperation.class, ReadOnlySafe.class);
  }

  @Override
  public Optional<MethodGuard> create(GuardedMethod method) {
    boolean writeOnMethod =
        method.method().isAnnotationPresent(WriteOperation.class)
            || onImplementation(method, WriteOperation.class);
    boolean safeOnMethod =
        method.method().isAnnotationPresent(ReadOnlySafe.class)
            || onImplementation(method, ReadOnlySafe.class);
    if (writeOnMethod && safeOnMethod) {
      throw new IllegalArgumentException(
          "is marked both @WriteOperation and @ReadOnlySafe; keep the one that is true");
    }
    boolean write =
        writeOnMethod || (!safeOnMethod && method.annotation(WriteOperation.class).isPresent());
    if (!write) {
      return Optional.empty();
    }
    String operation = method.describe();
    if (Calls.isAsync(method)) {
      return Optional.of(
          (args, next) -> {
            if (readMode.isBrowseOnly()) {
              readMode.refused("guard");
              return CompletableFuture.failedFuture(
                  new ReadOnlyModeException(
                      operation, readMode.reasons(), readMode.retryAfter().orElse(null)));
            }
            return next.proceed(args);
          });
    }
    return Optional.of(
        (args, next) -> {
          if (readMode.isBrowseOnly()) {
            readMode.refused("guard");
            throw new ReadOnlyModeException(
                operation, readMode.reasons(), readMode.retryAfter().orElse(null));
          }
          return next.proceed(args);
        });
  }

  private static boolean onImplementation(GuardedMethod method, Class<? extends Annotation> type) {
    try {
      return method
          .targetClass()
          .getMethod(method.method().getName(), method.method().getParameterTypes())
          .isAnnotationPresent(type);
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
