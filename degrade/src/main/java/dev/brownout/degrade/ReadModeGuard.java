package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardOrder;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import java.util.Objects;
import java.util.Optional;

/**
 * Applies {@link WriteOperation} and {@link ReadOnlySafe} to service methods through {@link
 * dev.brownout.core.guard.GuardedProxies}, at {@link GuardOrder#READ_MODE}: after feature flags,
 * before retries and breakers, so a refused write is neither retried nor counted as a failure of
 * anything.
 */
public final class ReadModeGuard implements GuardFactory {
  private final ReadMode readMode;

  /** Guards writes with {@code readMode}. */
  public ReadModeGuard(ReadMode readMode) {
    this.readMode = Objects.requireNonNull(readMode, "readMode");
  }

  @Override
  public int order() {
    return GuardOrder.READ_MODE;
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
    return Optional.of(
        (args, next) -> {
          if (readMode.isBrowseOnly()) {
            throw new ReadOnlyModeException(
                operation, readMode.reasons(), readMode.retryAfter().orElse(null));
          }
          return next.proceed(args);
        });
  }

  private static boolean onImplementation(
      GuardedMethod method, Class<? extends java.lang.annotation.Annotation> type) {
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
