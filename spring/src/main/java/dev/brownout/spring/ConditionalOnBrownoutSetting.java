package dev.brownout.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Conditional;

/**
 * Matches when a Brownout setting has {@link #havingValue}, read as the starter reads every {@code
 * brownout.*} key: Spring's environment first, then {@code brownout.properties}, the file named by
 * {@code brownout.config.file}, the {@code BROWNOUT_*} environment variables, then the key's
 * default. Spring's own {@code @ConditionalOnProperty} sees only the first, so a switch set in
 * {@code brownout.properties} would be ignored by it while the rest of the starter obeyed it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Documented
@Conditional(OnBrownoutSetting.class)
@interface ConditionalOnBrownoutSetting {
  /** The setting's name, such as {@code brownout.spring.session.enabled}. */
  String name();

  /** The value that matches, as it would be written in a properties file. */
  String havingValue();
}
