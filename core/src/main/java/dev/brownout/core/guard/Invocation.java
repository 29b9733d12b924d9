package dev.brownout.core.guard;

import java.lang.reflect.Method;

/**
 * One call of a guarded method, as a guard sees it. Immutable; shared by every guard of the call.
 */
public interface Invocation {

  /** The interface method called. */
  Method method();

  /** The arguments; guards must not change them. */
  Object[] arguments();

  /** The object the proxy wraps. */
  Object target();
}
