package dev.brownout.spring;

import dev.brownout.core.guard.GuardConfigurationException;
import dev.brownout.core.guard.MethodChain;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.ClassFilter;
import org.springframework.aop.Pointcut;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.Ordered;

/**
 * Applies Brownout's annotations to any Spring bean, class-based or not: the pointcut picks the
 * public methods that carry (or whose class carries) a guard annotation, and the interceptor runs
 * the method's {@link MethodChain} around the rest of Spring's chain. Every guarded class is
 * checked when the application starts (after every singleton exists): an invalid annotation, one no
 * module handles, or one on a method no proxy can reach fails the start, listing every problem.
 *
 * <p>As with any Spring proxy, a call a bean makes on itself ({@code this.charge(...)}) does not
 * pass through the proxy, so its guards do not run.
 *
 * <p>The advisor runs outside Spring's transaction and cache advisors ({@link #ORDER}), so a retry
 * retries the whole transaction.
 */
public final class GuardAdvisor extends AbstractPointcutAdvisor
    implements SmartInitializingSingleton {
  private static final long serialVersionUID = 1L;

  /** The advisor's order: before (outside) {@code @Transactional} and {@code @Cacheable}. */
  public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 100;

  private final transient ObjectProvider<BrownoutGuards> guards;
  private final transient Set<Class<?>> seen = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean started = new AtomicBoolean();
  private final transient Pointcut pointcut;
  private final transient Interceptor interceptor;

  GuardAdvisor(ObjectProvider<BrownoutGuards> guards) {
    this.guards = guards;
    this.interceptor = new Interceptor(guards);
    this.pointcut =
        new StaticMethodMatcherPointcut() {
          @Override
          public boolean matches(Method method, Class<?> targetClass) {
            return GuardAnnotations.applies(method, targetClass);
          }

          @Override
          public ClassFilter getClassFilter() {
            return GuardAdvisor.this::guarded;
          }
        };
    setOrder(ORDER);
  }

  private boolean guarded(Class<?> type) {
    if (!GuardAnnotations.onClass(type)) {
      return false;
    }
    if (seen.add(type) && started.get()) {
      // A bean created after start-up (lazy, prototype): checked now, before it is used.
      guards.getObject().validate(type);
    }
    return true;
  }

  @Override
  public void afterSingletonsInstantiated() {
    BrownoutGuards built = guards.getObject();
    List<String> problems = new ArrayList<>();
    for (Class<?> type : seen) {
      try {
        built.validate(type);
      } catch (GuardConfigurationException e) {
        for (String problem : e.problems()) {
          problems.add(type.getName() + ": " + problem);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new GuardConfigurationException("the application's beans", problems);
    }
    started.set(true);
  }

  @Override
  public Pointcut getPointcut() {
    return pointcut;
  }

  @Override
  public Advice getAdvice() {
    return interceptor;
  }

  /** Runs a guarded method's chain; the rest of Spring's chain is the chain's target. */
  private static final class Interceptor implements MethodInterceptor {
    private final ObjectProvider<BrownoutGuards> guards;
    private volatile @Nullable BrownoutGuards resolved;

    Interceptor(ObjectProvider<BrownoutGuards> guards) {
      this.guards = guards;
    }

    @Override
    public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
      Object target = invocation.getThis();
      BrownoutGuards chains = resolved;
      if (chains == null) {
        chains = guards.getObject();
        resolved = chains;
      }
      MethodChain chain =
          target == null ? null : chains.chain(target.getClass(), invocation.getMethod());
      if (chain == null) {
        return invocation.proceed();
      }
      if (invocation instanceof ProxyMethodInvocation proxy) {
        // Each attempt (a retry, a timeout's thread) proceeds on its own copy of the invocation.
        return chain.invoke(
            invocation.getArguments(), args -> proxy.invocableClone(args).proceed());
      }
      AtomicBoolean once = new AtomicBoolean();
      return chain.invoke(
          invocation.getArguments(),
          args -> {
            if (!once.compareAndSet(false, true)) {
              throw new IllegalStateException(
                  "this AOP framework's invocation can proceed only once; retries need Spring's"
                      + " proxies");
            }
            return invocation.proceed();
          });
    }
  }
}
