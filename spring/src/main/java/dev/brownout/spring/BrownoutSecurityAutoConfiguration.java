package dev.brownout.spring;

import dev.brownout.core.config.BrownoutConfig;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;

/**
 * Spring Security and the admin API. With bearer tokens (the default), Brownout authenticates every
 * admin request itself, so Spring Security leaves the admin path alone: without this, its default
 * rules would ask for a login and refuse token-authenticated writes for want of a CSRF token. With
 * {@code brownout.spring.admin.authentication=spring-security}, the application's own rules apply
 * to the admin path like any other, and Brownout maps the authenticated principal's authorities to
 * its read and write rights.
 */
@AutoConfiguration(after = BrownoutAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(WebSecurityCustomizer.class)
@ConditionalOnBrownoutSetting(name = "brownout.spring.admin.authentication", havingValue = "tokens")
public class BrownoutSecurityAutoConfiguration {
  /** Used by Spring. */
  public BrownoutSecurityAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean(name = "brownoutAdminWebSecurityCustomizer")
  WebSecurityCustomizer brownoutAdminWebSecurityCustomizer(BrownoutConfig config) {
    String path = config.get(StarterConfig.ADMIN_PATH);
    String prefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return web -> web.ignoring().requestMatchers(prefix + "/**");
  }
}
