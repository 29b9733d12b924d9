package dev.brownout.core.guard;

/**
 * Runs around calls of one method: decides whether to proceed, and what to return or throw. One
 * instance serves every call of its method, from any thread.
 */
@FunctionalInterface
public interface MethodGuard {

  /** Handles a call; usually by calling {@link Invocation#proceed()}. */
  Object invoke(Invocation invocation) throws Throwable;
}
