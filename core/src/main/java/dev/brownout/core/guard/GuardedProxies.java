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
import java.util.LinkedHashMap;
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

  /**
   * The guards for one method, checked: every guard annotation handled, every factory's validation
   * passed. Problems and the start-up description are added to the lists given.
   */
  private List<MethodGuard> guards(
      GuardedMethod guarded, List<String> problems, List<String> applied) {
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
      applied.add(describe(guarded.method(), annotations));
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
    return chain;
  }

  /**
   * The validated guard chain of each guarded public method of {@code type}, for interception
   * frameworks that call the target themselves (Spring AOP, CDI interceptors, ByteBuddy, a
   * hand-written decorator): build the chains once, when the bean or service is created, and run
   * {@link MethodChain#invoke} from the interceptor. Methods without guard annotations have no
   * chain. Annotations are found as for {@link #proxy}: the method, then the class, then the
   * interfaces that declare the method.
   *
   * <p>As with any proxy, a call the object makes on itself ({@code this.charge(...)}) does not
   * pass through the interceptor, so its guards do not run.
   *
   * @throws GuardConfigurationException listing every problem on every method, including guard
   *     annotations no factory of this {@code GuardedProxies} handles
   */
  public Map<Method, MethodChain> chains(Class<?> type) {
    Objects.requireNonNull(type, "type");
    Map<Method, MethodChain> chains = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    List<String> applied = new ArrayList<>();
    for (Method method : type.getMethods()) {
      if (Modifier.isStatic(method.getModifiers()) || method.getDeclaringClass() == Object.class) {
        continue;
      }
      GuardedMethod guarded = new GuardedMethod(declaringApi(type, method), method, type);
      List<MethodGuard> chain = guards(guarded, problems, applied);
      if (!chain.isEmpty()) {
        trySetAccessible(method);
        chains.put(method, new MethodChain(guarded.describe(), chain));
      }
    }
    if (!problems.isEmpty()) {
      throw new GuardConfigurationException(type.getName(), problems);
    }
    if (!applied.isEmpty()) {
      log.info("Guarding {}: {}", type.getName(), String.join("; ", applied));
    }
    return Map.copyOf(chains);
  }

  /**
   * Guards a class that implements no interface: returns a subclass of {@code type} whose public
   * methods run their guards and then the same method of {@code target}. Needs ByteBuddy ({@code
   * net.bytebuddy:byte-buddy}) on the class path, and a constructor without arguments (it may be
   * protected; it runs once, for the proxy). Checked as {@link #proxy} is: every annotation on
   * every method, when this is called. A call {@code target} makes on itself is not guarded.
   *
   * @throws IllegalStateException if ByteBuddy is not on the class path, naming the artifact
   * @throws IllegalArgumentException if the class is final or cannot be subclassed
   * @throws GuardConfigurationException listing every invalid annotation on every method
   */
  public <T> T subclass(Class<T> type, T target) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(target, "target");
    if (!type.isInstance(target)) {
      throw new IllegalArgumentException(
          target.getClass().getName() + " is not a " + type.getName());
    }
    try {
      Class.forName("net.bytebuddy.ByteBuddy", false, GuardedProxies.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException(
          "subclass proxies need ByteBuddy: add net.bytebuddy:byte-buddy to the application's"
              + " dependencies, or extract an interface and use proxy(...)");
    }
    return SubclassProxies.proxy(type, target, chains(type));
  }

  /**
   * The guard chain of one method of {@code type}, or empty if it carries no guard annotation.
   *
   * @throws GuardConfigurationException if the method's annotations are invalid
   */
  public Optional<MethodChain> chain(Class<?> type, Method method) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(method, "method");
    List<String> problems = new ArrayList<>();
    List<MethodGuard> chain =
        guards(
            new GuardedMethod(declaringApi(type, method), method, type),
            problems,
            new ArrayList<>());
    if (!problems.isEmpty()) {
      throw new GuardConfigurationException(type.getName(), problems);
    }
    return chain.isEmpty()
        ? Optional.empty()
        : Optional.of(new MethodChain(type.getSimpleName() + "." + method.getName(), chain));
  }

  /**
   * The interface a method of a class implements, so that annotations written on the interface are
   * found; the class itself when no interface declares it.
   */
  private static Class<?> declaringApi(Class<?> type, Method method) {
    for (Class<?> current = type; current != null; current = current.getSuperclass()) {
      for (Class<?> api : current.getInterfaces()) {
        try {
          api.getMethod(method.getName(), method.getParameterTypes());
          return api;
        } catch (NoSuchMethodException e) {
          // not this one
        }
      }
    }
    return method.getDeclaringClass();
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
    requireReachable(api, problems);
    for (Method method : api.getMethods()) {
      if (Modifier.isStatic(method.getModifiers())) {
        continue;
      }
      GuardedMethod guarded = new GuardedMethod(api, method, target.getClass());
      List<MethodGuard> chain = guards(guarded, problems, applied);
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

  /**
   * On the module path, the proxy calls {@code api}'s methods from Brownout's module: a package its
   * module does not export to it fails here, naming the line to add, instead of at the first call.
   */
  private static void requireReachable(Class<?> api, List<String> problems) {
    Module module = api.getModule();
    Module brownout = GuardedProxies.class.getModule();
    String pkg = api.getPackageName();
    if (module.isNamed() && !module.isExported(pkg, brownout) && !module.isOpen(pkg, brownout)) {
      problems.add(
          "module "
              + module.getName()
              + " does not export "
              + pkg
              + " to "
              + (brownout.isNamed() ? brownout.getName() : "Brownout")
              + ", so the proxy cannot call "
              + api.getSimpleName()
              + "'s methods; add 'exports "
              + pkg
              + " to dev.brownout.core;' to its module-info.java");
    }
  }

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
