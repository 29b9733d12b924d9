package dev.brownout.core.guard;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A method about to be guarded, as a {@link GuardFactory} sees it when the proxy is built. It finds
 * annotations on the implementation's method first, then the interface's method, then the
 * implementation class, then the interface, so users can annotate whichever they own.
 */
public final class GuardedMethod {
  private final Class<?> api;
  private final Method method;
  private final Class<?> targetClass;
  private final @Nullable Method implementation;

  GuardedMethod(Class<?> api, Method method, Class<?> targetClass) {
    this.api = Objects.requireNonNull(api, "api");
    this.method = Objects.requireNonNull(method, "method");
    this.targetClass = Objects.requireNonNull(targetClass, "targetClass");
    Method found;
    try {
      found = targetClass.getMethod(method.getName(), method.getParameterTypes());
    } catch (NoSuchMethodException e) {
      found = null;
    }
    this.implementation = found;
  }

  /** The interface being proxied. */
  public Class<?> api() {
    return api;
  }

  /** The interface method. */
  public Method method() {
    return method;
  }

  /** The class of the wrapped object. */
  public Class<?> targetClass() {
    return targetClass;
  }

  /** {@code Interface.method(ParamType, …)}, for messages. */
  public String describe() {
    StringBuilder text =
        new StringBuilder(api.getSimpleName()).append('.').append(method.getName()).append('(');
    Class<?>[] types = method.getParameterTypes();
    for (int i = 0; i < types.length; i++) {
      text.append(i == 0 ? "" : ", ").append(types[i].getSimpleName());
    }
    return text.append(')').toString();
  }

  /**
   * The nearest annotation of {@code type}: implementation method, interface method, implementation
   * class, interface.
   */
  public <A extends Annotation> Optional<A> annotation(Class<A> type) {
    A found = implementation == null ? null : implementation.getAnnotation(type);
    if (found == null) {
      found = method.getAnnotation(type);
    }
    if (found == null) {
      found = targetClass.getAnnotation(type);
    }
    if (found == null) {
      found = api.getAnnotation(type);
    }
    return Optional.ofNullable(found);
  }

  /**
   * Every {@link GuardAnnotation} that applies to the method, nearest first, one per annotation
   * type.
   */
  public List<Annotation> guardAnnotations() {
    Map<Class<? extends Annotation>, Annotation> found = new LinkedHashMap<>();
    List<AnnotatedElement> levels = new ArrayList<>();
    if (implementation != null) {
      levels.add(implementation);
    }
    levels.add(method);
    levels.add(targetClass);
    levels.add(api);
    for (AnnotatedElement level : levels) {
      for (Annotation annotation : level.getAnnotations()) {
        if (annotation.annotationType().isAnnotationPresent(GuardAnnotation.class)) {
          found.putIfAbsent(annotation.annotationType(), annotation);
        }
      }
    }
    return List.copyOf(found.values());
  }

  @Override
  public String toString() {
    return describe();
  }
}
