package dev.brownout.flags.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Turns a boolean flag on for everyone, for the annotated test (or every test of the class). */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
@Repeatable(FlagOn.List.class)
public @interface FlagOn {
  /** The flag's key. */
  String value();

  /** Several {@link FlagOn}. */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.METHOD, ElementType.TYPE})
  @interface List {
    /** The flags. */
    FlagOn[] value();
  }
}
