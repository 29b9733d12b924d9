package dev.brownout.spring;

import dev.brownout.admin.servlet.AdminServlet;
import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.config.BrownoutConfig;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * The admin API and console with the actuator: on the management server when {@code
 * management.server.port} gives it its own port (so operators reach it where the actuator is, and
 * the public port does not serve it), else on the application's server, under {@code
 * brownout.spring.admin.path}.
 */
@ManagementContextConfiguration(value = ManagementContextType.ANY, proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = "jakarta.servlet.Servlet")
@ConditionalOnBrownoutSetting(name = "brownout.spring.admin.enabled", havingValue = "true")
public class BrownoutManagementContextConfiguration {
  /** Used by Spring. */
  public BrownoutManagementContextConfiguration() {}

  @Bean
  ServletRegistrationBean<AdminServlet> brownoutAdminServlet(AdminApi api, BrownoutConfig config) {
    return BrownoutWebAutoConfiguration.adminServlet(api, config);
  }
}
