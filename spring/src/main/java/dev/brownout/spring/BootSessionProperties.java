package dev.brownout.spring;

import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.ConfigProblem;
import dev.brownout.core.config.ConfigurationException;
import dev.brownout.session.SessionConfig;
import dev.brownout.session.Sessions;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Spring Boot's {@code server.servlet.session.*} applied to Brownout's sessions: the timeout, the
 * cookie's name, {@code Secure} and {@code SameSite}. Where the same setting is also given as
 * {@code brownout.session.*} with another value, or Boot asks for what Brownout's cookie does not
 * do (a domain, a path, a max-age, no {@code HttpOnly}), start-up fails naming both properties.
 */
final class BootSessionProperties {
  static final String TIMEOUT = "server.servlet.session.timeout";
  static final String COOKIE_NAME = "server.servlet.session.cookie.name";
  static final String SAME_SITE = "server.servlet.session.cookie.same-site";
  static final String SECURE = "server.servlet.session.cookie.secure";
  private static final List<String> UNSUPPORTED =
      List.of(
          "server.servlet.session.cookie.domain",
          "server.servlet.session.cookie.path",
          "server.servlet.session.cookie.max-age");
  private static final String HTTP_ONLY = "server.servlet.session.cookie.http-only";

  private final String cookieName;
  private final java.util.function.Consumer<Sessions.Builder> settings;

  private BootSessionProperties(
      String cookieName, java.util.function.Consumer<Sessions.Builder> settings) {
    this.cookieName = cookieName;
    this.settings = settings;
  }

  /** The session cookie's name, Boot's or Brownout's. */
  String cookieName() {
    return cookieName;
  }

  /** Applies Boot's settings to {@code builder}. */
  void applyTo(Sessions.Builder builder) {
    settings.accept(builder);
  }

  /**
   * Reads Boot's session properties, checked against Brownout's.
   *
   * @throws ConfigurationException listing every conflicting or unsupported property
   */
  static BootSessionProperties read(ConfigurableEnvironment environment, ConfigOrigins origins) {
    List<java.util.function.Consumer<Sessions.Builder>> settings = new ArrayList<>();
    String[] cookie = {origins.config().get(SessionConfig.COOKIE_NAME)};
    List<ConfigProblem> problems = new ArrayList<>();
    find(environment, TIMEOUT)
        .ifPresent(
            timeout -> {
              Duration value;
              try {
                value = DurationStyle.detectAndParse(timeout.text(), ChronoUnit.SECONDS);
              } catch (IllegalArgumentException e) {
                problems.add(problem(TIMEOUT, timeout, "expected a duration such as 30m"));
                return;
              }
              if (agrees(origins, SessionConfig.MAX_INACTIVE, value, timeout, problems)) {
                settings.add(builder -> builder.maxInactive(value));
              }
            });
    find(environment, COOKIE_NAME)
        .ifPresent(
            name -> {
              if (agrees(origins, SessionConfig.COOKIE_NAME, name.text(), name, problems)) {
                cookie[0] = name.text();
                settings.add(builder -> builder.cookieName(name.text()));
              }
            });
    find(environment, SAME_SITE)
        .ifPresent(
            site -> {
              String value = sameSite(site.text());
              if (value == null) {
                problems.add(problem(SAME_SITE, site, "expected lax, strict or none"));
              } else if (agrees(origins, SessionConfig.COOKIE_SAME_SITE, value, site, problems)) {
                settings.add(builder -> builder.cookieSameSite(value));
              }
            });
    find(environment, SECURE)
        .ifPresent(
            found -> {
              SessionConfig.CookieSecure value =
                  Boolean.parseBoolean(found.text())
                      ? SessionConfig.CookieSecure.ALWAYS
                      : SessionConfig.CookieSecure.AUTO;
              if (agrees(origins, SessionConfig.COOKIE_SECURE, value, found, problems)) {
                settings.add(builder -> builder.cookieSecure(value));
              }
            });
    find(environment, HTTP_ONLY)
        .filter(found -> !Boolean.parseBoolean(found.text()))
        .ifPresent(
            found ->
                problems.add(
                    problem(
                        HTTP_ONLY,
                        found,
                        "Brownout's session cookie is always HttpOnly, so scripts cannot read it;"
                            + " remove this property")));
    for (String name : UNSUPPORTED) {
      find(environment, name)
          .ifPresent(
              found ->
                  problems.add(
                      problem(
                          name,
                          found,
                          "Brownout's session cookie has no such setting (it is scoped to the"
                              + " context path and lives as long as the browser); remove this"
                              + " property, or set brownout.spring.session.enabled=false to keep"
                              + " the container's sessions")));
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return new BootSessionProperties(
        cookie[0], builder -> settings.forEach(setting -> setting.accept(builder)));
  }

  private static <T> boolean agrees(
      ConfigOrigins origins,
      ConfigKey<T> key,
      T bootValue,
      EnvironmentConfig.Found boot,
      List<ConfigProblem> problems) {
    if (!origins.isSet(key)) {
      return true;
    }
    T ours = origins.config().get(key);
    if (Objects.equals(normalize(ours), normalize(bootValue))) {
      return true;
    }
    problems.add(
        new ConfigProblem(
            key.name(),
            origins.origin(key),
            key.type().format(ours),
            "Spring Boot's "
                + boot.origin()
                + " sets the same thing to '"
                + boot.text()
                + "'; set one of the two"));
    return false;
  }

  private static Object normalize(Object value) {
    return value instanceof String text ? text.toLowerCase(Locale.ROOT) : value;
  }

  private static String sameSite(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "lax" -> "Lax";
      case "strict" -> "Strict";
      case "none" -> "None";
      default -> null;
    };
  }

  private static ConfigProblem problem(String name, EnvironmentConfig.Found found, String message) {
    return new ConfigProblem(name, found.origin(), found.text(), message);
  }

  private static Optional<EnvironmentConfig.Found> find(
      ConfigurableEnvironment environment, String name) {
    return EnvironmentConfig.find(environment, name, false);
  }
}
