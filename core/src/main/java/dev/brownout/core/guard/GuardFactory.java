package dev.brownout.core.guard;

import java.util.Optional;

/**
 * Contributed by a module: looks at a method when a proxy is built and returns a guard for it, or
 * nothing if the method does not concern this module. It validates the method's annotations then,
 * and throws {@link IllegalArgumentException} with a message naming what is wrong; {@link
 * GuardedProxies} collects the messages of every method and factory and reports them together.
 */
public interface GuardFactory {

  /**
   * Where this factory's guards sit in the chain: lower runs first (outermost). Two factories with
   * the same order in one {@link GuardedProxies} is an error. {@link GuardOrder} has the documented
   * positions of Brownout's own guards.
   */
  int order();

  /** A guard for {@code method}, or empty if it needs none. */
  Optional<MethodGuard> create(GuardedMethod method);
}
