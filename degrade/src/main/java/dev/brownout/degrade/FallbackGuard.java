package dev.brownout.degrade;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.Set;

/** Applies {@link Fallback}: a call that fails, finally, is answered by the fallback's method. */
final class FallbackGuard implements GuardFactory {
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
    Class<?> type = annotation.get().value();
    if (!method.api().isAssignableFrom(type)) {
      throw new IllegalArgumentException(
          "@Fallback " + type.getName() + " does not implement " + method.api().getName());
    }
    Object fallback;
    try {
      var constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      fallback = constructor.newInstance();
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalArgumentException(
          "@Fallback "
              + type.getName()
              + " cannot be created with a no-argument constructor: "
              + e);
    }
    Class<? extends Exception>[] on = annotation.get().on();
    Method target = method.method();
    return Optional.of(
        (args, next) -> {
          try {
            return next.proceed(args);
          } catch (Exception failure) {
            if (!matches(failure, on)) {
              throw failure;
            }
            try {
              return target.invoke(fallback, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          }
        });
  }

  private static boolean matches(Exception failure, Class<? extends Exception>[] on) {
    for (Class<? extends Exception> type : on) {
      if (type.isInstance(failure)) {
        return true;
      }
    }
    return false;
  }
}
