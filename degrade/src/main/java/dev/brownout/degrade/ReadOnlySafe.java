package dev.brownout.degrade;

import dev.brownout.core.guard.GuardAnnotation;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a method as safe in browse-only mode, within a type marked {@link WriteOperation}. */
@Documented
@GuardAnnotation(providedBy = "readMode.guards()")
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface ReadOnlySafe {}
