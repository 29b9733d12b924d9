package dev.brownout.spring;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.ConfigProblem;
import dev.brownout.core.config.ConfigurationException;
import dev.brownout.degrade.ConcurrencyLimitFilter;
import dev.brownout.degrade.Priority;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.Resilience;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.ApplicationContextException;

/**
 * The inbound {@link ConcurrencyLimitFilter} as {@code brownout.spring.concurrency-limit.*} says:
 * its limiter is {@value BrownoutWebAutoConfiguration#INBOUND_LIMITER}, declared in {@link
 * Resilience} so that the admin API and the meters show it; route priorities come from {@code
 * path=priority} pairs; the admin path and the exempt paths pass without taking a permit, so that
 * an operator (and a health probe) is answered however busy the server is.
 */
final class InboundConcurrencyLimit {
  private InboundConcurrencyLimit() {}

  /** The filter, or a start-up failure naming every bad setting with its origin. */
  static Filter filter(ConfigOrigins origins, Resilience resilience, ReadMode readMode) {
    BrownoutConfig config = origins.config();
    String name = BrownoutWebAutoConfiguration.INBOUND_LIMITER;
    if (!resilience.concurrencyLimiterNames().contains(name)) {
      throw new ApplicationContextException(
          "brownout.spring.concurrency-limit.enabled is true, but the application's own"
              + " Resilience bean declares no concurrency limiter '"
              + name
              + "' for it: declare it with Resilience.Builder.concurrencyLimit(\""
              + name
              + "\"), or leave the Resilience bean to the starter");
    }
    ConcurrencyLimitFilter.Builder builder =
        ConcurrencyLimitFilter.builder(resilience.concurrencyLimiter(name))
            .config(config)
            .defaultPriority(config.get(StarterConfig.CONCURRENCY_LIMIT_DEFAULT_PRIORITY));
    List<ConfigProblem> problems = new ArrayList<>();
    for (String route : config.get(StarterConfig.CONCURRENCY_LIMIT_ROUTES)) {
      int equals = route.lastIndexOf('=');
      try {
        if (equals < 1) {
          throw new IllegalArgumentException("expected path=priority, such as /checkout=critical");
        }
        Priority priority =
            StarterConfig.CONCURRENCY_LIMIT_DEFAULT_PRIORITY
                .type()
                .parse(route.substring(equals + 1).trim());
        builder.route(route.substring(0, equals).trim(), priority);
      } catch (IllegalArgumentException e) {
        problems.add(problem(origins, StarterConfig.CONCURRENCY_LIMIT_ROUTES, route, e));
      }
    }
    List<List<String>> exempt = new ArrayList<>();
    List<String> admin = segments(config.get(StarterConfig.ADMIN_PATH));
    if (config.get(StarterConfig.ADMIN_ENABLED) && !admin.isEmpty()) {
      exempt.add(admin);
    }
    for (String path : config.get(StarterConfig.CONCURRENCY_LIMIT_EXEMPT_PATHS)) {
      if (segments(path).isEmpty()) {
        problems.add(
            problem(
                origins,
                StarterConfig.CONCURRENCY_LIMIT_EXEMPT_PATHS,
                path,
                new IllegalArgumentException(
                    "exempting / would exempt every request; name the paths to exempt")));
      } else if (!path.startsWith("/") || path.contains("..") || path.indexOf(';') >= 0) {
        problems.add(
            problem(
                origins,
                StarterConfig.CONCURRENCY_LIMIT_EXEMPT_PATHS,
                path,
                new IllegalArgumentException("expected a plain path such as /actuator/health")));
      } else {
        exempt.add(segments(path));
      }
    }
    config
        .find(StarterConfig.CONCURRENCY_LIMIT_BROWSE_ONLY_BEFORE_SHEDDING)
        .ifPresent(
            reads -> {
              if (!config.get(StarterConfig.READ_MODE_ENABLED)) {
                problems.add(
                    new ConfigProblem(
                        StarterConfig.CONCURRENCY_LIMIT_BROWSE_ONLY_BEFORE_SHEDDING.name(),
                        origins.origin(StarterConfig.CONCURRENCY_LIMIT_BROWSE_ONLY_BEFORE_SHEDDING),
                        StarterConfig.CONCURRENCY_LIMIT_BROWSE_ONLY_BEFORE_SHEDDING
                            .type()
                            .format(reads),
                        "browse-only before shedding refuses writes through the browse-only"
                            + " filter, and brownout.spring.read-mode.enabled is false: enable"
                            + " it, or remove this setting"));
              }
              builder.browseOnlyBeforeShedding(readMode, reads);
            });
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return new Exempting(builder.build(), List.copyOf(exempt));
  }

  private static ConfigProblem problem(
      ConfigOrigins origins, ConfigKey<?> key, String value, IllegalArgumentException e) {
    return new ConfigProblem(key.name(), origins.origin(key), value, e.getMessage());
  }

  static List<String> segments(String path) {
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      if (!segment.isEmpty()) {
        segments.add(segment);
      }
    }
    return List.copyOf(segments);
  }

  /** Lets exempt paths through, segment by segment on the dispatched path; limits the rest. */
  static final class Exempting implements Filter {
    private final ConcurrencyLimitFilter limited;
    private final List<List<String>> exempt;

    Exempting(ConcurrencyLimitFilter limited, List<List<String>> exempt) {
      this.limited = limited;
      this.exempt = exempt;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      if (!exempt.isEmpty() && request instanceof HttpServletRequest http && exempt(http)) {
        chain.doFilter(request, response);
        return;
      }
      limited.doFilter(request, response, chain);
    }

    private boolean exempt(HttpServletRequest request) {
      String servletPath = request.getServletPath();
      String pathInfo = request.getPathInfo();
      List<String> path =
          segments((servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo));
      for (List<String> prefix : exempt) {
        if (path.size() >= prefix.size() && path.subList(0, prefix.size()).equals(prefix)) {
          return true;
        }
      }
      return false;
    }
  }
}
