package dev.brownout.spring;

import dev.brownout.core.guard.GuardConfigurationException;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.core.guard.MethodChain;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The validated guard chains of the application's beans, built from one {@link GuardedProxies}
 * (every module's guards and the application's own {@code GuardFactory} beans) the first time a
 * class is needed, and kept. The AOP advisor runs them; they are the same chains a JDK proxy of the
 * same class would run.
 */
public final class BrownoutGuards {
  private final GuardedProxies proxies;
  private final Map<Class<?>, ClassChains> byClass = new ConcurrentHashMap<>();

  BrownoutGuards(GuardedProxies proxies) {
    this.proxies = proxies;
  }

  /** The proxy factory the chains come from, for guarding objects that are not beans. */
  public GuardedProxies proxies() {
    return proxies;
  }

  /**
   * Builds and checks the chains of {@code type}.
   *
   * @throws GuardConfigurationException naming every invalid annotation, and every guard annotation
   *     on a method Spring's proxy cannot intercept (not public, final or static)
   */
  void validate(Class<?> type) {
    chains(type);
  }

  /** The chain of {@code method} called on an instance of {@code runtimeClass}, or null. */
  @Nullable MethodChain chain(Class<?> runtimeClass, Method method) {
    return chains(runtimeClass).find(method);
  }

  private ClassChains chains(Class<?> runtimeClass) {
    ClassChains known = byClass.get(runtimeClass);
    if (known != null) {
      return known;
    }
    Class<?> type = ClassUtils.getUserClass(runtimeClass);
    List<String> problems = unreachable(type);
    Map<Method, MethodChain> chains;
    try {
      chains = proxies.chains(type);
    } catch (GuardConfigurationException e) {
      problems.addAll(0, e.problems());
      throw new GuardConfigurationException(type.getName(), problems);
    }
    for (Method method : type.getMethods()) {
      if (GuardAnnotations.onInterfaceMethod(method, type) && !chains.containsKey(method)) {
        problems.add(
            method.getName()
                + ": its guard annotations are on an interface's method, which guards on a"
                + " class do not read; put them on "
                + type.getSimpleName()
                + "."
                + method.getName()
                + " or on the interface itself");
      }
    }
    if (!problems.isEmpty()) {
      throw new GuardConfigurationException(type.getName(), problems);
    }
    ClassChains built = new ClassChains(type, chains);
    byClass.put(runtimeClass, built);
    return built;
  }

  /** Guard annotations that a Spring proxy would never run: they would do nothing, silently. */
  private static List<String> unreachable(Class<?> type) {
    List<String> problems = new ArrayList<>();
    if (Modifier.isFinal(type.getModifiers())) {
      problems.add(
          type.getSimpleName() + " is final, so Spring cannot proxy it; make it non-final");
    }
    ReflectionUtils.doWithMethods(
        type,
        method -> {
          if (!GuardAnnotations.onMethod(method)) {
            return;
          }
          int modifiers = method.getModifiers();
          String where = method.getDeclaringClass().getSimpleName() + "." + method.getName();
          if (Modifier.isStatic(modifiers)) {
            problems.add(where + " is static: no proxy can guard it");
          } else if (!Modifier.isPublic(modifiers)) {
            problems.add(
                where + " is not public: Brownout guards public methods only; make it public");
          } else if (Modifier.isFinal(modifiers)) {
            problems.add(where + " is final, so Spring's proxy cannot override it; remove final");
          }
        },
        method -> method.getDeclaringClass() != Object.class);
    return problems;
  }

  /** One class's chains, also found from the interface methods a JDK proxy is called with. */
  private static final class ClassChains {
    private final Class<?> type;
    private final Map<Method, MethodChain> chains;
    private final Map<Method, Optional<MethodChain>> resolved = new ConcurrentHashMap<>();

    ClassChains(Class<?> type, Map<Method, MethodChain> chains) {
      this.type = type;
      this.chains = chains;
    }

    @Nullable MethodChain find(Method method) {
      MethodChain chain = chains.get(method);
      if (chain != null || chains.isEmpty()) {
        return chain;
      }
      return resolved
          .computeIfAbsent(
              method,
              called ->
                  Optional.ofNullable(chains.get(AopUtils.getMostSpecificMethod(called, type))))
          .orElse(null);
    }
  }
}
