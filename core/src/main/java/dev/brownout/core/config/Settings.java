package dev.brownout.core.config;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The settings a module's builder collects: values given by its typed setters, and a {@link
 * BrownoutConfig} given to {@code config(...)} as a bulk source, both checked against the same
 * {@link ConfigKey} declarations. Every Brownout builder keeps one, so {@code
 * Flags.builder(store).refreshInterval(Duration.ofSeconds(5))} and {@code
 * brownout.flags.refresh-interval=5s} in {@code brownout.properties} are the same setting,
 * validated the same way.
 *
 * <p>A value set with a typed setter wins over the same key in the config, whatever the order of
 * the calls: code is the highest layer of configuration, as in {@link BrownoutConfig}. Not
 * thread-safe; builders read their settings once, when they build.
 */
public final class Settings {
  private final Map<String, ConfigKey<?>> declared = new LinkedHashMap<>();
  private final Map<String, Object> explicit = new LinkedHashMap<>();
  private @Nullable BrownoutConfig config;

  private Settings(Collection<? extends ConfigKey<?>> keys) {
    for (ConfigKey<?> key : keys) {
      declared.put(key.name(), key);
    }
  }

  /** Settings for a module that declares {@code keys}. */
  public static Settings of(Collection<? extends ConfigKey<?>> keys) {
    return new Settings(keys);
  }

  /**
   * Sets {@code key} in code, as a typed setter does.
   *
   * @throws IllegalArgumentException naming the key, the value and what was expected, if the value
   *     is out of range or the key is not one of this module's
   */
  public <T> Settings set(ConfigKey<T> key, T value) {
    requireDeclared(key);
    Objects.requireNonNull(value, () -> key.name() + " cannot be null");
    try {
      key.type().check(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          key.name() + " = " + key.display(key.type().format(value)) + ": " + e.getMessage(), e);
    }
    explicit.put(key.name(), value);
    return this;
  }

  /**
   * Uses {@code config} for every key not set in code. Keys the config does not declare (a config
   * built without this module's declarations) keep their defaults.
   */
  public Settings config(BrownoutConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    return this;
  }

  /**
   * The value of {@code key}: set in code, else from the config, else the default.
   *
   * @throws IllegalStateException if the key is optional and unset; use {@link #find(ConfigKey)}
   */
  public <T> T get(ConfigKey<T> key) {
    return find(key)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    key.name() + " has no value and no default; read it with find(key)"));
  }

  /** The value of {@code key}, or empty if it is optional and unset. */
  public <T> Optional<T> find(ConfigKey<T> key) {
    requireDeclared(key);
    Object value = explicit.get(key.name());
    if (value != null) {
      return Optional.of(cast(value));
    }
    if (config != null && config.declares(key)) {
      return config.find(key);
    }
    return key.defaultValue();
  }

  /**
   * Where the value of {@code key} came from: {@code code}, the config's origin ({@code file …},
   * {@code environment variable …}) or {@code default}.
   */
  public String origin(ConfigKey<?> key) {
    requireDeclared(key);
    if (explicit.containsKey(key.name())) {
      return "code";
    }
    if (config != null && config.declares(key)) {
      return config.origin(key);
    }
    return "default";
  }

  /**
   * {@code key = value (from origin)}, the value masked if secret: for error messages that name a
   * setting.
   */
  public String describe(ConfigKey<?> key) {
    return key.name() + " = " + displayValue(key) + " (from " + origin(key) + ")";
  }

  private <T> String displayValue(ConfigKey<T> key) {
    return key.display(find(key).map(value -> key.type().format(value)).orElse(null));
  }

  private void requireDeclared(ConfigKey<?> key) {
    if (declared.get(key.name()) != key) {
      throw new IllegalArgumentException(
          key.name() + " is not a setting of this builder; it takes " + declared.keySet());
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object value) {
    return (T) value;
  }
}
