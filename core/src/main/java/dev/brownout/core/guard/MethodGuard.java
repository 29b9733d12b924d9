package dev.brownout.core.guard;

/**
 * Runs around calls of one method: decides whether to proceed, and what to return or throw. One
 * instance serves every call of its method, from any thread.
 */
@FunctionalInterface
public interface MethodGuard {

  /** Handles a call; usually by returning {@code next.proceed(call)}. */
  Object invoke(Invocation call, Next next) throws Throwable;
}
