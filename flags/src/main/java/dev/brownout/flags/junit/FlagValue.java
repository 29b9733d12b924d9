package dev.brownout.flags.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a string flag one value for everyone, for the annotated test or every test of the class.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
@Repeatable(FlagValue.List.class)
public @interface FlagValue {
  /** The flag's key. */
  String flag();

  /** The value every unit gets. */
  String value();

  /** Several {@link FlagValue}. */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.METHOD, ElementType.TYPE})
  @interface List {
    /** The flags. */
    FlagValue[] value();
  }
}
