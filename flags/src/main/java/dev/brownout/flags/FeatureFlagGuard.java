package dev.brownout.flags;

import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.MethodGuard;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Applies {@link FeatureFlag}: first in the chain, so an off feature reaches nothing below. */
final class FeatureFlagGuard implements GuardFactory {
  private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");

  private final Flags flags;
  private final @Nullable Supplier<FlagContext> context;

  FeatureFlagGuard(Flags flags, @Nullable Supplier<FlagContext> context) {
    this.flags = flags;
    this.context = context;
  }

  @Override
  public int order() {
    return FeatureFlag.ORDER;
  }

  @Override
  public Set<Class<? extends Annotation>> handles() {
    return Set.of(FeatureFlag.class);
  }

  @Override
  public Optional<MethodGuard> create(GuardedMethod method) {
    Optional<FeatureFlag> annotation = method.annotation(FeatureFlag.class);
    if (annotation.isEmpty()) {
      return Optional.empty();
    }
    String key = annotation.get().value();
    if (!KEY.matcher(key).matches()) {
      throw new IllegalArgumentException(
          "@FeatureFlag key must be lower-case letters, digits, '.', '_' or '-' but was '"
              + key
              + "'");
    }
    Object fallback = fallback(annotation.get().fallback(), method);
    int contextIndex = -1;
    Class<?>[] types = method.method().getParameterTypes();
    for (int i = 0; i < types.length; i++) {
      if (types[i] == FlagContext.class) {
        contextIndex = i;
        break;
      }
    }
    if (contextIndex < 0 && context == null) {
      throw new IllegalArgumentException(
          "@FeatureFlag(\""
              + key
              + "\") has no way to find whose flag to evaluate: give the method a FlagContext"
              + " parameter, or build the guards with flags.guards(() -> contextOfTheCurrentUser())");
    }
    int index = contextIndex;
    @Nullable Supplier<FlagContext> supplier = context;
    String description = method.describe();
    Method target = method.method();
    return Optional.of(
        (args, next) -> {
          FlagContext who =
              index >= 0 && args[index] != null
                  ? (FlagContext) args[index]
                  : supplier != null ? supplier.get() : null;
          if (who == null) {
            throw new IllegalArgumentException(
                description
                    + ": the FlagContext for @FeatureFlag(\""
                    + key
                    + "\") is null; pass FlagContext.anonymous() for nobody in particular");
          }
          FlagEvaluation result = flags.evaluate(key, who);
          if (Boolean.TRUE.equals(result.value())) {
            return next.proceed(args);
          }
          if (fallback == null) {
            throw new FeatureDisabledException(key, description, result.reason());
          }
          try {
            return target.invoke(fallback, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private static Object fallback(Class<?> type, GuardedMethod method) {
    if (type == Void.class) {
      return null;
    }
    if (!method.api().isAssignableFrom(type)) {
      throw new IllegalArgumentException(
          "@FeatureFlag fallback "
              + type.getName()
              + " does not implement "
              + method.api().getName());
    }
    try {
      var constructor = type.getDeclaredConstructor();
      constructor.setAccessible(true);
      return constructor.newInstance();
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalArgumentException(
          "@FeatureFlag fallback "
              + type.getName()
              + " cannot be created with a no-argument constructor: "
              + e);
    }
  }
}
