package dev.brownout.core.guard;

import java.util.List;
import java.util.Objects;

/**
 * The validated guards of one method, for interception frameworks that call the target themselves:
 * {@link GuardedProxies#chains(Class)} builds them once, and the interceptor runs each call through
 * {@link #invoke}, giving the way to reach the target as the last link. Immutable and thread-safe.
 *
 * <pre>{@code
 * // A Spring AOP MethodInterceptor:
 * MethodChain chain = chains.get(invocation.getMethod());
 * return chain == null
 *     ? invocation.proceed()
 *     : chain.invoke(invocation.getArguments(), args -> ((ProxyMethodInvocation) invocation).invocableClone(args).proceed());
 * }</pre>
 */
public final class MethodChain {
  private final String method;
  private final MethodGuard[] guards;

  MethodChain(String method, List<MethodGuard> guards) {
    this.method = method;
    this.guards = guards.toArray(new MethodGuard[0]);
  }

  /**
   * Runs a call through the guards, outermost first, and then {@code target}: a guard may call the
   * rest of the chain once, several times (a retry), on another thread (a timeout), or not at all.
   * {@code target} must therefore be callable more than once and from any thread.
   *
   * @param args the call's arguments; guards do not change them
   * @param target reaches the real method; what it throws comes out unwrapped
   */
  public Object invoke(Object[] args, Next target) throws Throwable {
    Objects.requireNonNull(target, "target");
    return link(0, target).proceed(args == null ? new Object[0] : args);
  }

  private Next link(int index, Next target) {
    if (index == guards.length) {
      return target;
    }
    MethodGuard guard = guards[index];
    Next inner = link(index + 1, target);
    return call -> guard.invoke(call, inner);
  }

  /** How many guards run around the method. */
  public int size() {
    return guards.length;
  }

  @Override
  public String toString() {
    return "MethodChain[" + method + ", " + guards.length + " guards]";
  }
}
