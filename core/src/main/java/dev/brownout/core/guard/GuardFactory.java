package dev.brownout.core.guard;

import java.lang.annotation.Annotation;
import java.util.Optional;
import java.util.Set;

/**
 * Contributed by a module: looks at a method when a proxy is built and returns a guard for it, or
 * nothing if the method does not concern this module. It validates the method's annotations then,
 * and throws {@link IllegalArgumentException} with a message naming what is wrong; {@link
 * GuardedProxies} collects the messages of every method and factory and reports them together.
 */
public interface GuardFactory {

  /**
   * Where this factory's guards sit in the chain: lower runs first (outermost). Two factories with
   * the same order in one {@link GuardedProxies} is an error. Brownout's own annotations publish
   * their place as {@code ORDER} ({@code FeatureFlag.ORDER}, {@code Retry.ORDER}, …), in steps of
   * 1000 so an application can put its own guards between them.
   */
  int order();

  /**
   * The {@link GuardAnnotation}s this factory reads. A method that carries one that no factory of a
   * {@link GuardedProxies} handles cannot be guarded by it.
   */
  default Set<Class<? extends Annotation>> handles() {
    return Set.of();
  }

  /** A guard for {@code method}, or empty if it needs none. */
  Optional<MethodGuard> create(GuardedMethod method);
}
