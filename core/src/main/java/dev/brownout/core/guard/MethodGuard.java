package dev.brownout.core.guard;

/**
 * Runs around calls of one method: decides whether to proceed, and what to return or throw. One
 * instance serves every call of its method, from any thread.
 */
@FunctionalInterface
public interface MethodGuard {

  /**
   * Handles a call; usually by returning {@code next.proceed(args)}. The method and its annotations
   * are known when the guard is created ({@link GuardFactory#create}); a call brings only its
   * arguments.
   *
   * @param args the call's arguments (empty, never null, for a method without parameters); guards
   *     must not change them
   */
  Object invoke(Object[] args, Next next) throws Throwable;
}
