package dev.brownout.degrade;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.concurrent.CompletionStage;

/**
 * The method of a fallback (or a failover chain's last resort) that answers for a guarded method:
 * same name and parameters, optionally one more last parameter ({@code Throwable} or {@code
 * Exception}) that receives the failure, and a compatible return type. Found and checked once.
 *
 * @param instance the fallback
 * @param method its answering method
 * @param takesFailure whether the method receives the failure
 */
record FallbackMethod(Object instance, Method method, boolean takesFailure) {

  /**
   * Finds the method of {@code instance} that answers for {@code called}.
   *
   * @param role what {@code instance} is, for messages ({@code @Fallback}, {@code last resort})
   * @param api the guarded interface, for messages
   * @throws IllegalArgumentException naming what is missing or mismatched
   */
  static FallbackMethod find(String role, Object instance, Method called, Class<?> api) {
    Method plain = null;
    Method withFailure = null;
    Class<?>[] wanted = called.getParameterTypes();
    for (Method candidate : instance.getClass().getMethods()) {
      if (!candidate.getName().equals(called.getName())
          || Modifier.isStatic(candidate.getModifiers())) {
        continue;
      }
      Class<?>[] types = candidate.getParameterTypes();
      if (Arrays.equals(types, wanted)) {
        plain = candidate;
      } else if (types.length == wanted.length + 1
          && Arrays.equals(Arrays.copyOf(types, wanted.length), wanted)
          && (types[wanted.length] == Throwable.class || types[wanted.length] == Exception.class)) {
        withFailure = candidate;
      }
    }
    Method chosen = withFailure != null ? withFailure : plain;
    if (chosen == null) {
      throw new IllegalArgumentException(
          role
              + " "
              + instance.getClass().getName()
              + (api.isInstance(instance) ? "" : " does not implement " + api.getName() + " and")
              + " has no public method "
              + called.getName()
              + Arrays.toString(wanted)
              + " (optionally with a last Throwable or Exception parameter for the failure)");
    }
    if (!returns(called, chosen)) {
      throw new IllegalArgumentException(
          role
              + " "
              + instance.getClass().getName()
              + "."
              + chosen.getName()
              + " returns "
              + chosen.getReturnType().getName()
              + " where "
              + api.getSimpleName()
              + "."
              + called.getName()
              + " returns "
              + called.getReturnType().getName());
    }
    try {
      chosen.setAccessible(true);
    } catch (RuntimeException e) {
      // Public methods of exported packages are callable without it.
    }
    return new FallbackMethod(instance, chosen, chosen == withFailure);
  }

  /** Answers the call with {@code args}, passing {@code failure} if the method takes it. */
  Object call(Object[] args, Throwable failure) throws Throwable {
    Object[] passed = args;
    if (takesFailure) {
      passed = Arrays.copyOf(args, args.length + 1);
      passed[args.length] = failure;
    }
    try {
      return method.invoke(instance, passed);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static boolean returns(Method called, Method chosen) {
    Class<?> wanted = called.getReturnType();
    Class<?> given = chosen.getReturnType();
    if (wanted == CompletionStage.class) {
      return CompletionStage.class.isAssignableFrom(given);
    }
    return wanted.isAssignableFrom(given);
  }
}
