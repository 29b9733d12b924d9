package dev.brownout.flags;

import dev.brownout.core.guard.GuardAnnotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a service method only while a boolean flag is on. When it is off, the call goes to the
 * {@link #fallback()} (a class implementing the same interface) or, without one, fails with {@link
 * FeatureDisabledException}: never a silent {@code null}.
 *
 * <pre>{@code
 * interface Recommendations {
 *   @FeatureFlag(value = "personalised-recommendations", fallback = Bestsellers.class)
 *   List<Listing> forUser(FlagContext user);
 * }
 * }</pre>
 *
 * The flag is evaluated for a method parameter of type {@link FlagContext} if there is one, else
 * for the context supplier given to {@link Flags#guards(java.util.function.Supplier)}; a method
 * with neither is an error when the proxy is built, as is a malformed key or a fallback that does
 * not implement the interface or cannot be created.
 */
@Documented
@GuardAnnotation(providedBy = "flags.guards() or flags.guards(contextSupplier)")
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface FeatureFlag {
  /**
   * Where this guard sits in the chain ({@link dev.brownout.core.guard.GuardFactory#order()}):
   * first, so a feature that is off reaches nothing below.
   */
  int ORDER = 1000;

  /** The flag's key. */
  String value();

  /**
   * A class implementing the proxied interface, with a no-argument constructor, whose method runs
   * instead when the flag is off. Default: none, and the call fails with {@link
   * FeatureDisabledException}.
   */
  Class<?> fallback() default Void.class;
}
