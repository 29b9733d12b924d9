package dev.brownout.spring;

import dev.brownout.admin.AdminServerConfig;
import dev.brownout.admin.servlet.AdminServlet;
import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.degrade.DegradeConfig;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.ReadModeFilter;
import dev.brownout.degrade.Resilience;
import dev.brownout.session.Sessions;
import jakarta.servlet.Filter;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ApplicationContextException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * The servlet side: Brownout's session filter (before Spring Security, so its session is the one
 * security uses), the browse-only filter, the inbound concurrency limit when it is enabled, the
 * mapping of Brownout's exceptions to polite HTTP answers, and the admin API when there is no
 * actuator to put it on the management server.
 */
@AutoConfiguration(after = BrownoutAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(Filter.class)
public class BrownoutWebAutoConfiguration {
  /** Where the session filter sits: where Spring Session's would, before Spring Security. */
  public static final int SESSION_FILTER_ORDER = Integer.MIN_VALUE + 50;

  /**
   * Where the browse-only filter sits: after Spring Security (-100), so a refused write was
   * authenticated first, and around everything that may throw {@code ReadOnlyModeException}.
   */
  public static final int READ_MODE_FILTER_ORDER = -90;

  /**
   * Where the inbound concurrency limit sits: after the browse-only filter, so that while
   * browse-only the writes it refuses never take the room reads need (and browse-only before
   * shedding works as {@code ConcurrencyLimitFilter} documents), and after Spring Security, so that
   * what it admits and measures is the application's own work.
   */
  public static final int CONCURRENCY_LIMIT_FILTER_ORDER = -85;

  /** The name of the inbound requests' concurrency limiter, in the admin API and the meters. */
  public static final String INBOUND_LIMITER = "inbound";

  private static final String SPRING_SESSION_FILTER =
      "org.springframework.session.web.http.SessionRepositoryFilter";

  /** Used by Spring. */
  public BrownoutWebAutoConfiguration() {}

  @Bean
  @ConditionalOnBrownoutSetting(name = "brownout.spring.session.enabled", havingValue = "true")
  FilterRegistrationBean<Filter> brownoutSessionFilter(
      Sessions sessions, BootSessionProperties boot, ListableBeanFactory beans) {
    refuseSpringSession(beans);
    // server.servlet.session.cookie.secure=true became brownout.session.cookie.secure=always.
    Filter filter = sessions.filter();
    FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(filter);
    registration.setName("brownoutSessionFilter");
    registration.setOrder(SESSION_FILTER_ORDER);
    registration.addUrlPatterns("/*");
    return registration;
  }

  private static void refuseSpringSession(ListableBeanFactory beans) {
    ClassLoader loader = BrownoutWebAutoConfiguration.class.getClassLoader();
    if (!ClassUtils.isPresent(SPRING_SESSION_FILTER, loader)) {
      return;
    }
    String[] names =
        beans.getBeanNamesForType(
            ClassUtils.resolveClassName(SPRING_SESSION_FILTER, loader), true, false);
    if (names.length > 0) {
      throw new ApplicationContextException(
          "Spring Session is active too (its SessionRepositoryFilter bean '"
              + names[0]
              + "'), and two session filters cannot both own HttpSession: Brownout's sessions"
              + " would never be used. Remove the spring-session-* dependency, or set"
              + " brownout.spring.session.enabled=false to keep Spring Session.");
    }
  }

  @Bean
  @ConditionalOnBrownoutSetting(name = "brownout.spring.read-mode.enabled", havingValue = "true")
  FilterRegistrationBean<ReadModeFilter> brownoutReadModeFilter(
      ReadMode readMode, BrownoutConfig config) {
    List<String> allowed = new ArrayList<>(config.get(StarterConfig.READ_MODE_ALLOWED_PATHS));
    if (config.get(StarterConfig.ADMIN_ENABLED)) {
      // Leaving browse-only through the admin API must never be refused as a write.
      allowed.add(config.get(StarterConfig.ADMIN_PATH));
    }
    FilterRegistrationBean<ReadModeFilter> registration =
        new FilterRegistrationBean<>(
            new ReadModeFilter(readMode, allowed, config.get(StarterConfig.READ_MODE_RETRY_AFTER)));
    registration.setName("brownoutReadModeFilter");
    registration.setOrder(READ_MODE_FILTER_ORDER);
    registration.addUrlPatterns("/*");
    return registration;
  }

  /**
   * The inbound concurrency limit. Registered only when {@code
   * brownout.spring.concurrency-limit.enabled} is true, read as every {@code brownout.*} key is
   * (from {@code brownout.properties} too), the same value that declares its limiter.
   */
  @Bean
  FilterRegistrationBean<Filter> brownoutConcurrencyLimitFilter(
      ConfigOrigins origins, Resilience resilience, ReadMode readMode) {
    boolean enabled = origins.config().get(StarterConfig.CONCURRENCY_LIMIT_ENABLED);
    // A disabled registration is never added to the servlet context; its filter is never called.
    Filter filter =
        enabled
            ? InboundConcurrencyLimit.filter(origins, resilience, readMode)
            : (request, response, chain) -> chain.doFilter(request, response);
    FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(filter);
    registration.setName("brownoutConcurrencyLimitFilter");
    registration.setOrder(CONCURRENCY_LIMIT_FILTER_ORDER);
    registration.addUrlPatterns("/*");
    registration.setEnabled(enabled);
    return registration;
  }

  /** Brownout's exceptions as HTTP answers, for Spring MVC. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.web.servlet.HandlerExceptionResolver")
  static class ExceptionMapping {
    @Bean
    BrownoutExceptionResolver brownoutExceptionResolver(
        BrownoutConfig config, ReadMode readMode, Resilience resilience) {
      return new BrownoutExceptionResolver(
          config.get(StarterConfig.FEATURE_OFF_STATUS),
          config.get(StarterConfig.READ_MODE_ENABLED),
          config.get(StarterConfig.READ_MODE_RETRY_AFTER),
          config.get(DegradeConfig.CONCURRENCY_RETRY_AFTER),
          readMode,
          resilience);
    }
  }

  /**
   * The admin API on the application's server, when there is no actuator; with one, {@link
   * BrownoutManagementContextConfiguration} serves it on the management server.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass(
      "org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration")
  @ConditionalOnBrownoutSetting(name = "brownout.spring.admin.enabled", havingValue = "true")
  static class AdminOnApplicationServer {
    @Bean
    ServletRegistrationBean<AdminServlet> brownoutAdminServlet(
        AdminApi api, BrownoutConfig config) {
      return adminServlet(api, config);
    }
  }

  static ServletRegistrationBean<AdminServlet> adminServlet(AdminApi api, BrownoutConfig config) {
    String path = config.get(StarterConfig.ADMIN_PATH);
    String prefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    ServletRegistrationBean<AdminServlet> registration =
        new ServletRegistrationBean<>(
            new AdminServlet(api, config.get(AdminServerConfig.MAX_BODY_BYTES)), prefix + "/*");
    registration.setName("brownoutAdminServlet");
    return registration;
  }
}
