package dev.brownout.core.guard;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an annotation as one that a {@link GuardFactory} must handle. {@link GuardedProxies}
 * refuses to guard a method that carries such an annotation when none of its factories {@linkplain
 * GuardFactory#handles() handles} it, so a forgotten {@code .add(resilience.guards())} is an error
 * at start-up, not a breaker that silently never opens.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.ANNOTATION_TYPE)
public @interface GuardAnnotation {
  /**
   * Where the guards for the annotation come from, for the error message: {@code
   * "Resilience.guards()"}.
   */
  String providedBy();
}
