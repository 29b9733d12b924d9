package dev.brownout.core.guard;

import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds guarded proxies: {@code proxy(PaymentClient.class, realClient)} returns a {@code
 * PaymentClient} whose methods run their guards around the real ones.
 *
 * <pre>{@code
 * GuardedProxies guards = GuardedProxies.builder().add(flags.guards()).add(resilience.guards()).build();
 * PaymentClient client = guards.proxy(PaymentClient.class, new HttpPaymentClient(...));
 * }</pre>
 *
 * <p>Every annotation is read and validated when {@link #proxy(Class, Object)} is called; problems
 * on all methods are reported together in one {@link GuardConfigurationException}, and so is an
 * annotation that none of the factories handles (a {@code @CircuitBreaker} with no {@code
 * resilience.guards()} added would otherwise do nothing). Each proxy built logs one line at INFO
 * listing the guarded methods and their annotations. At call time a method without guards costs a
 * map lookup and a reflective call; exceptions from the target come out unwrapped. Thread-safe.
 */
public final class GuardedProxies {
  private static final Logger log = LoggerFactory.getLogger(GuardedProxies.class);

  private final List<GuardFactory> factories;
  private final Set<Class<? extends Annotation>> handled;

  private GuardedProxies(List<GuardFactory> factories) {
    this.factories = List.copyOf(factories);
    Set<Class<? extends Annotation>> all = new HashSet<>();
    for (GuardFactory factory : factories) {
      all.addAll(factory.handles());
    }
    this.handled = Set.copyOf(all);
  }

  /** {@code charge(Charge) [@Retry(payments), @CircuitBreaker(payments)]}, for the start-up log. */
  private static String describe(Method method, List<Annotation> annotations) {
    StringBuilder text = new StringBuilder(method.getName()).append('(');
    Class<?>[] types = method.getParameterTypes();
    for (int i = 0; i < types.length; i++) {
      text.append(i == 0 ? "" : ", ").append(types[i].getSimpleName());
    }
    text.append(") [");
    for (int i = 0; i < annotations.size(); i++) {
      Annotation annotation = annotations.get(i);
      text.append(i == 0 ? "@" : ", @").append(annotation.annotationType().getSimpleName());
      try {
        Object value = annotation.annotationType().getMethod("value").invoke(annotation);
        if (value instanceof String name && !name.isEmpty()) {
          text.append('(').append(name).append(')');
        }
      } catch (ReflectiveOperationException e) {
        // an annotation without a value() names nothing more
      }
    }
    return text.append(']').toString();
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Wraps {@code target} in a proxy of {@code api} that runs the guards.
   *
   * @throws IllegalArgumentException if {@code api} is not an interface or {@code target} does not
   *     implement it
   * @throws GuardConfigurationException listing every invalid annotation on every method
   */
  public <T> T proxy(Class<T> api, T target) {
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(target, "target");
    if (!api.isInterface()) {
      throw new IllegalArgumentException(
          api.getName()
              + " is a class; guarded proxies wrap interfaces, so extract an interface for the methods to guard");
    }
    if (!api.isInstance(target)) {
      throw new IllegalArgumentException(
          target.getClass().getName() + " does not implement " + api.getName());
    }
    Map<Method, Next> chains = new HashMap<>();
    List<String> problems = new ArrayList<>();
    List<String> applied = new ArrayList<>();
    for (Method method : api.getMethods()) {
      if (Modifier.isStatic(method.getModifiers())) {
        continue;
      }
      GuardedMethod guarded = new GuardedMethod(api, method, target.getClass());
      List<Annotation> annotations = guarded.guardAnnotations();
      for (Annotation annotation : annotations) {
        if (!handled.contains(annotation.annotationType())) {
          problems.add(
              guarded.describe()
                  + ": @"
                  + annotation.annotationType().getSimpleName()
                  + " is not handled by any guard of this GuardedProxies, so it would do nothing;"
                  + " add "
                  + annotation.annotationType().getAnnotation(GuardAnnotation.class).providedBy()
                  + " to GuardedProxies.builder()");
        }
      }
      if (!annotations.isEmpty()) {
        applied.add(describe(method, annotations));
      }
      List<MethodGuard> chain = new ArrayList<>();
      for (GuardFactory factory : factories) {
        try {
          Optional<MethodGuard> guard = factory.create(guarded);
          guard.ifPresent(chain::add);
        } catch (IllegalArgumentException | IllegalStateException e) {
          problems.add(guarded.describe() + ": " + e.getMessage());
        }
      }
      if (!chain.isEmpty()) {
        trySetAccessible(method);
        chains.put(method, link(chain, method, target));
      }
    }
    if (!problems.isEmpty()) {
      throw new GuardConfigurationException(api.getName(), problems);
    }
    log.info(
        "Guarding {} ({}): {}",
        api.getSimpleName(),
        target.getClass().getName(),
        applied.isEmpty() ? "no method carries a guard annotation" : String.join("; ", applied));
    Object proxy =
        Proxy.newProxyInstance(
            api.getClassLoader(), new Class<?>[] {api}, new Handler(target, Map.copyOf(chains)));
    return api.cast(proxy);
  }

  /**
   * Links guards into one immutable chain, innermost first, ending at the target. The method and
   * target are fixed here, so a call carries nothing but its arguments: the proxy's own argument
   * array is the only thing a guarded call allocates, and the JIT can often remove even that.
   */
  private static Next link(List<MethodGuard> guards, Method method, Object target) {
    Next next = args -> invokeTarget(target, method, args);
    for (int i = guards.size() - 1; i >= 0; i--) {
      MethodGuard guard = guards.get(i);
      Next inner = next;
      next = call -> guard.invoke(call, inner);
    }
    return next;
  }

  private static void trySetAccessible(Method method) {
    try {
      method.setAccessible(true);
    } catch (RuntimeException e) {
      // Public interface methods of exported packages are callable without it.
    }
  }

  /** Dispatches proxy calls to the chain of the method, or straight to the target. */
  private static final class Handler implements InvocationHandler {
    private final Object target;
    private final Map<Method, Next> chains;

    Handler(Object target, Map<Method, Next> chains) {
      this.target = target;
      this.chains = chains;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      Next chain = chains.get(method);
      if (chain != null) {
        return chain.proceed(args == null ? NO_ARGS : args);
      }
      if (method.getDeclaringClass() == Object.class) {
        return objectMethod(proxy, method, args);
      }
      return invokeTarget(target, method, args);
    }

    private Object objectMethod(Object proxy, Method method, Object[] args) throws Throwable {
      return switch (method.getName()) {
        case "equals" -> proxy == args[0];
        case "hashCode" -> System.identityHashCode(proxy);
        case "toString" -> "GuardedProxy[" + target + "]";
        default -> invokeTarget(target, method, args);
      };
    }
  }

  private static final Object[] NO_ARGS = new Object[0];

  private static Object invokeTarget(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Builds {@link GuardedProxies}. Not thread-safe. */
  public static final class Builder {
    private final List<GuardFactory> factories = new ArrayList<>();

    private Builder() {}

    /** Adds guard factories. */
    public Builder add(GuardFactory... more) {
      for (GuardFactory factory : more) {
        factories.add(Objects.requireNonNull(factory, "factory"));
      }
      return this;
    }

    /** Adds guard factories. */
    public Builder add(List<? extends GuardFactory> more) {
      more.forEach(this::add);
      return this;
    }

    /**
     * Builds the proxy factory, its guards sorted by {@link GuardFactory#order()}.
     *
     * @throws IllegalArgumentException if two factories claim the same order
     */
    public GuardedProxies build() {
      List<GuardFactory> sorted = new ArrayList<>(factories);
      sorted.sort(Comparator.comparingInt(GuardFactory::order));
      for (int i = 1; i < sorted.size(); i++) {
        if (sorted.get(i).order() == sorted.get(i - 1).order()) {
          throw new IllegalArgumentException(
              "guard factories "
                  + sorted.get(i - 1).getClass().getName()
                  + " and "
                  + sorted.get(i).getClass().getName()
                  + " both claim order "
                  + sorted.get(i).order()
                  + "; give each its own place in the chain");
        }
      }
      return new GuardedProxies(sorted);
    }
  }
}
