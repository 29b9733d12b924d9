package dev.brownout.core.guard;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.InvocationHandlerAdapter;
import net.bytebuddy.matcher.ElementMatchers;

/**
 * Subclass proxies of classes, made with ByteBuddy (an optional dependency, loaded only when a
 * subclass proxy is asked for): every public method of the subclass runs its guard chain and then
 * calls the same method of the real object, so a class-based service is guarded without extracting
 * an interface.
 */
final class SubclassProxies {
  private SubclassProxies() {}

  static <T> T proxy(Class<T> type, T target, Map<Method, MethodChain> chains) {
    if (Modifier.isFinal(type.getModifiers())) {
      throw new IllegalArgumentException(
          type.getName() + " is final, so no subclass can guard it; extract an interface");
    }
    Constructor<?> noArguments;
    try {
      noArguments = type.getDeclaredConstructor();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          type.getName()
              + " has no constructor without arguments, which a subclass proxy needs; add one"
              + " (it may be protected) or extract an interface");
    }
    if (Modifier.isPrivate(noArguments.getModifiers())) {
      throw new IllegalArgumentException(
          type.getName() + "'s constructor without arguments is private; make it protected");
    }
    for (Method method : chains.keySet()) {
      if (Modifier.isFinal(method.getModifiers())) {
        throw new IllegalArgumentException(
            type.getName()
                + "."
                + method.getName()
                + " is final, so a subclass cannot guard it; remove final");
      }
    }
    InvocationHandler handler =
        (proxy, method, args) -> {
          Object[] arguments = args == null ? new Object[0] : args;
          MethodChain chain = chains.get(method);
          if (chain == null) {
            return call(method, target, arguments);
          }
          return chain.invoke(arguments, a -> call(method, target, a));
        };
    ClassLoadingStrategy<ClassLoader> loading =
        Modifier.isPublic(type.getModifiers())
            ? ClassLoadingStrategy.Default.WRAPPER
            : ClassLoadingStrategy.Default.INJECTION;
    Class<? extends T> subclass =
        new ByteBuddy()
            .subclass(type)
            .name(type.getName() + "$BrownoutGuarded")
            .method(
                ElementMatchers.isPublic()
                    .and(ElementMatchers.not(ElementMatchers.isDeclaredBy(Object.class)))
                    .and(ElementMatchers.not(ElementMatchers.isStatic())))
            .intercept(InvocationHandlerAdapter.of(handler))
            .make()
            .load(type.getClassLoader(), loading)
            .getLoaded();
    try {
      Constructor<? extends T> constructor = subclass.getDeclaredConstructor();
      constructor.setAccessible(true);
      return constructor.newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(
          "cannot create the subclass proxy of " + type.getName() + ": " + e, e);
    }
  }

  private static Object call(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
