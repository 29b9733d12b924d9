package dev.brownout.spring;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.ConfigProblem;
import dev.brownout.core.config.ConfigurationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Reads {@code brownout.*} from Spring's {@code Environment} ({@code application.yml}, profiles,
 * environment variables, command-line arguments: whatever Spring Boot reads, with its relaxed
 * names) into a {@link BrownoutConfig}, so every value is checked by the declaration of its key,
 * exactly as {@code brownout.properties} would be. A problem names the property and where Spring
 * found it ({@code class path resource [application.yml] - 12:20}); a {@code brownout.*} property
 * no module declares is an error too, unless it comes from the process environment or the system
 * properties, which the whole process shares (a warning then).
 */
final class EnvironmentConfig {
  private static final Logger log = LoggerFactory.getLogger(EnvironmentConfig.class);
  private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("brownout");

  private EnvironmentConfig() {}

  /** A property's text and where Spring found it. */
  record Found(String text, String origin) {}

  /**
   * Builds the config: every declared key from the environment, else {@code brownout.properties}
   * and the other standard layers, else its default.
   *
   * @throws ConfigurationException listing every problem, each with its property's origin
   */
  static ConfigOrigins load(ConfigurableEnvironment environment) {
    BrownoutConfig.Builder builder = BrownoutConfig.builder().standardSources();
    List<ConfigKey<?>> declared = new ArrayList<>(BrownoutConfig.builder().build().keys());
    Map<String, String> origins = new LinkedHashMap<>();
    for (ConfigKey<?> key : declared) {
      find(environment, key.name(), isList(key))
          .ifPresent(
              found -> {
                builder.set(key.name(), found.text());
                origins.put(key.name(), found.origin());
              });
    }
    for (Map.Entry<String, String> unknown : unknownNames(environment, declared).entrySet()) {
      // Set as text, so that BrownoutConfig reports it with its suggestion of the nearest key.
      builder.set(unknown.getKey(), "");
      origins.put(unknown.getKey(), unknown.getValue());
    }
    try {
      return new ConfigOrigins(builder.build(), origins);
    } catch (ConfigurationException e) {
      List<ConfigProblem> located = new ArrayList<>();
      for (ConfigProblem problem : e.problems()) {
        String origin = origins.get(problem.key());
        located.add(
            origin == null || !problem.origin().equals("code")
                ? problem
                : new ConfigProblem(problem.key(), origin, problem.value(), problem.message()));
      }
      throw new ConfigurationException(located);
    }
  }

  /**
   * The value of {@code name} in the highest property source that has it, joined with commas if it
   * is a list written as one ({@code [a, b]} in YAML).
   */
  static Optional<Found> find(ConfigurableEnvironment environment, String name, boolean list) {
    ConfigurationPropertyName wanted = ConfigurationPropertyName.of(name);
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      ConfigurationProperty property = source.getConfigurationProperty(wanted);
      if (property != null && property.getValue() != null) {
        return Optional.of(
            new Found(text(environment, property.getValue()), origin(property, name)));
      }
      if (list) {
        List<String> elements = new ArrayList<>();
        String origin = null;
        for (int i = 0; ; i++) {
          ConfigurationProperty element =
              source.getConfigurationProperty(wanted.append("[" + i + "]"));
          if (element == null || element.getValue() == null) {
            break;
          }
          elements.add(text(environment, element.getValue()));
          origin = origin == null ? origin(element, name + "[" + i + "]") : origin;
        }
        if (!elements.isEmpty()) {
          return Optional.of(new Found(String.join(",", elements), origin));
        }
      }
    }
    return Optional.empty();
  }

  private static String text(ConfigurableEnvironment environment, Object value) {
    return value instanceof String text ? environment.resolvePlaceholders(text) : value.toString();
  }

  private static String origin(ConfigurationProperty property, String name) {
    Origin origin = property.getOrigin();
    return origin == null ? "Spring property " + name : origin.toString();
  }

  /**
   * {@code brownout.*} names in the environment that no module declares, with their origins; those
   * the process environment and system properties hold are only logged.
   */
  private static Map<String, String> unknownNames(
      ConfigurableEnvironment environment, List<ConfigKey<?>> declared) {
    List<ConfigurationPropertyName> known = new ArrayList<>();
    for (ConfigKey<?> key : declared) {
      known.add(ConfigurationPropertyName.of(key.name()));
    }
    Map<String, String> unknown = new LinkedHashMap<>();
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      if (!(source instanceof IterableConfigurationPropertySource iterable)) {
        continue;
      }
      boolean shared = shared(source.getUnderlyingSource());
      iterable.stream()
          .filter(ROOT::isAncestorOf)
          .forEach(
              name -> {
                ConfigurationPropertyName key =
                    name.isLastElementIndexed() ? name.getParent() : name;
                if (known.contains(key) || unknown.containsKey(key.toString())) {
                  return;
                }
                ConfigurationProperty property = source.getConfigurationProperty(name);
                String origin =
                    property == null
                        ? "Spring property " + name
                        : origin(property, name.toString());
                if (shared) {
                  log.warn(
                      "Ignoring {} from {}: no Brownout module declares this key", key, origin);
                } else {
                  unknown.put(key.toString(), origin);
                }
              });
    }
    return unknown;
  }

  private static boolean shared(@Nullable Object underlying) {
    if (!(underlying instanceof PropertySource<?> source)) {
      return false;
    }
    return source.getName().equals(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)
        || source.getName().equals(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
  }

  private static boolean isList(ConfigKey<?> key) {
    return List.class.isAssignableFrom(key.type().javaType());
  }
}
