package dev.brownout.spring;

import dev.brownout.core.guard.GuardAnnotation;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds Brownout's guard annotations without building any guard, so that the AOP advisor can decide
 * which beans to proxy before the modules' beans exist: annotations marked {@link GuardAnnotation}
 * on a class, its methods (of any visibility, to report those no proxy reaches), its superclasses
 * and its interfaces.
 */
final class GuardAnnotations {
  private static final Map<Class<?>, Boolean> GUARDED = new ConcurrentHashMap<>();

  private GuardAnnotations() {}

  /** Whether {@code type} carries a guard annotation anywhere. */
  static boolean onClass(Class<?> type) {
    return GUARDED.computeIfAbsent(ClassUtils.getUserClass(type), GuardAnnotations::scan);
  }

  private static boolean scan(Class<?> type) {
    if (type.isAnnotation() || type.getName().startsWith("java.")) {
      return false;
    }
    for (Class<?> current = type; current != null && current != Object.class; ) {
      if (on(current)) {
        return true;
      }
      for (Class<?> api : ClassUtils.getAllInterfacesForClassAsSet(current)) {
        if (on(api) || declaresGuardedMethod(api)) {
          return true;
        }
      }
      if (declaresGuardedMethod(current)) {
        return true;
      }
      current = current.getSuperclass();
    }
    return false;
  }

  private static boolean declaresGuardedMethod(Class<?> type) {
    for (Method method : ReflectionUtils.getDeclaredMethods(type)) {
      if (onMethod(method)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code method} itself carries a guard annotation. */
  static boolean onMethod(Method method) {
    return on(method);
  }

  /**
   * Whether a call of {@code method} on {@code targetClass} may be guarded: a public instance
   * method whose class-level method, class or interface carries a guard annotation.
   */
  static boolean applies(Method method, Class<?> targetClass) {
    Class<?> type = ClassUtils.getUserClass(targetClass);
    Method specific = ClassUtils.getMostSpecificMethod(method, type);
    int modifiers = specific.getModifiers();
    if (!Modifier.isPublic(modifiers)
        || Modifier.isStatic(modifiers)
        || specific.getDeclaringClass() == Object.class) {
      return false;
    }
    if (on(specific) || on(method) || on(type) || onInterfaceMethod(specific, type)) {
      return true;
    }
    for (Class<?> api : ClassUtils.getAllInterfacesForClassAsSet(type)) {
      if (declares(api, specific) && on(api)) {
        return true;
      }
    }
    return false;
  }

  /** Whether an interface's declaration of {@code method} carries a guard annotation. */
  static boolean onInterfaceMethod(Method method, Class<?> type) {
    for (Class<?> api : ClassUtils.getAllInterfacesForClassAsSet(type)) {
      try {
        if (on(api.getMethod(method.getName(), method.getParameterTypes()))) {
          return true;
        }
      } catch (NoSuchMethodException e) {
        // not declared there
      }
    }
    return false;
  }

  private static boolean declares(Class<?> api, Method method) {
    try {
      api.getMethod(method.getName(), method.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static boolean on(AnnotatedElement element) {
    for (Annotation annotation : element.getDeclaredAnnotations()) {
      if (annotation.annotationType().isAnnotationPresent(GuardAnnotation.class)) {
        return true;
      }
    }
    return false;
  }
}
