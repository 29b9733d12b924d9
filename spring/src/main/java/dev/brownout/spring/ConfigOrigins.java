package dev.brownout.spring;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.ConfigKey;
import java.util.Map;

/**
 * The starter's {@link BrownoutConfig} and, for each key Spring's environment set, where Spring
 * found it ({@code class path resource [application.yml] - 3:10}), for messages that must name a
 * property's origin.
 */
final class ConfigOrigins {
  private final BrownoutConfig config;
  private final Map<String, String> origins;

  ConfigOrigins(BrownoutConfig config, Map<String, String> origins) {
    this.config = config;
    this.origins = Map.copyOf(origins);
  }

  BrownoutConfig config() {
    return config;
  }

  /** Where {@code key}'s value came from: a Spring origin, a Brownout layer, or {@code default}. */
  String origin(ConfigKey<?> key) {
    String origin = origins.get(key.name());
    return origin != null ? origin : config.declares(key) ? config.origin(key) : "default";
  }

  /** Whether anything set {@code key}. */
  boolean isSet(ConfigKey<?> key) {
    return !origin(key).equals("default");
  }

  /** {@code key = value (from origin)}, secrets masked. */
  String describe(ConfigKey<?> key) {
    String value =
        key.secret() ? "****" : config.find(key).map(v -> format(key, v)).orElse("(none)");
    return key.name() + " = " + value + " (from " + origin(key) + ")";
  }

  @SuppressWarnings("unchecked")
  private static <T> String format(ConfigKey<T> key, Object value) {
    return key.type().format((T) value);
  }
}
