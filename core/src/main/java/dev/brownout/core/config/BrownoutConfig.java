package dev.brownout.core.config;

import dev.brownout.core.ModuleDeclarations;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brownout's configuration: typed values for declared {@link ConfigKey}s, read from layers. A later
 * layer wins over an earlier one:
 *
 * <ol>
 *   <li>each key's default;
 *   <li>{@code brownout.properties} at the root of the class path, if present;
 *   <li>the properties file named by the system property {@code brownout.config.file} or the
 *       environment variable {@code BROWNOUT_CONFIG_FILE}, or given to {@link
 *       Builder#propertiesFile(Path)};
 *   <li>environment variables ({@code BROWNOUT_ADMIN_PORT} for {@code brownout.admin.port});
 *   <li>system properties ({@code -Dbrownout.admin.port=9099});
 *   <li>values set in code with {@link Builder#set(ConfigKey, Object)}.
 * </ol>
 *
 * <p>{@link Builder#build()} validates every declared key and throws one {@link
 * ConfigurationException} listing every problem: values that do not parse or are out of range, and
 * keys nobody declared (a typo in a properties file is an error, with a suggestion). A built config
 * never changes and is thread-safe.
 */
public final class BrownoutConfig {
  /** The system property that names a properties file to read. */
  public static final String CONFIG_FILE_PROPERTY = "brownout.config.file";

  /** The environment variable that names a properties file to read. */
  public static final String CONFIG_FILE_VARIABLE = "BROWNOUT_CONFIG_FILE";

  private static final Logger log = LoggerFactory.getLogger(BrownoutConfig.class);

  private final Map<String, ConfigKey<?>> keys;
  private final Map<String, Object> values;
  private final Map<String, String> origins;

  private BrownoutConfig(
      Map<String, ConfigKey<?>> keys, Map<String, Object> values, Map<String, String> origins) {
    this.keys = keys;
    this.values = values;
    this.origins = origins;
  }

  /**
   * Reads the standard layers (class path, named file, environment, system properties) for every
   * key that a module on the class or module path declares.
   *
   * @throws ConfigurationException listing every problem
   */
  public static BrownoutConfig load() {
    return builder().standardSources().build();
  }

  /**
   * Starts a builder that declares the keys of every Brownout module on the class or module path
   * (each module's {@link ModuleDeclarations}, found by {@link ServiceLoader}); its only layer is
   * the keys' defaults until sources are added.
   */
  public static Builder builder() {
    return new Builder(true);
  }

  /**
   * Starts a builder that declares nothing by itself: only the keys given to {@link
   * Builder#declare}. For tests and tools that want a config of exactly some keys.
   */
  public static Builder builderWithoutDiscovery() {
    return new Builder(false);
  }

  /**
   * The value of {@code key}: the highest layer that sets it, else its default.
   *
   * @throws IllegalArgumentException if the key was not declared to this config
   * @throws IllegalStateException if the key is optional and unset; use {@link #find(ConfigKey)}
   */
  public <T> T get(ConfigKey<T> key) {
    return find(key)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    key.name() + " has no value and no default; read it with find(key)"));
  }

  /**
   * The value of {@code key} if it was declared to this config, else the key's default: for modules
   * handed a config that may not declare their keys.
   *
   * @throws IllegalStateException if the key is not declared here and has no default
   */
  public <T> T getOrDefault(ConfigKey<T> key) {
    if (keys.containsKey(key.name())) {
      return get(key);
    }
    return key.defaultValue()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    key.name() + " is not declared to this config and has no default"));
  }

  /**
   * The value of {@code key}, or empty if it is optional and unset.
   *
   * @throws IllegalArgumentException if the key was not declared to this config
   */
  public <T> Optional<T> find(ConfigKey<T> key) {
    requireDeclared(key);
    Object value = values.get(key.name());
    return value == null ? Optional.empty() : Optional.of(cast(key, value));
  }

  /**
   * Where the value of {@code key} came from: {@code default}, {@code code}, {@code environment
   * variable …}.
   */
  public String origin(ConfigKey<?> key) {
    requireDeclared(key);
    return origins.getOrDefault(key.name(), "default");
  }

  /** Whether {@code key} is declared to this config. */
  public boolean declares(ConfigKey<?> key) {
    return keys.get(key.name()) == key;
  }

  /** Every declared key, by name. */
  public Collection<ConfigKey<?>> keys() {
    return keys.values();
  }

  /** One line per key with its value and origin, secrets masked: safe to log at start-up. */
  public String describe() {
    StringBuilder text = new StringBuilder();
    for (ConfigKey<?> key : keys.values()) {
      text.append(key.name())
          .append(" = ")
          .append(key.display(displayValue(key)))
          .append("  (")
          .append(origin(key))
          .append(")\n");
    }
    return text.toString();
  }

  private <T> @Nullable String displayValue(ConfigKey<T> key) {
    return find(key).map(value -> key.type().format(value)).orElse(null);
  }

  private void requireDeclared(ConfigKey<?> key) {
    if (keys.get(key.name()) != key) {
      throw new IllegalArgumentException(
          "config key "
              + key.name()
              + " is not declared to this BrownoutConfig: put the jar of the module that declares"
              + " it on the class path (BrownoutConfig.builder() finds every module's keys), or"
              + " declare it yourself with BrownoutConfig.builder().declare(key)");
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(ConfigKey<T> key, Object value) {
    return (T) value;
  }

  @Override
  public String toString() {
    return "BrownoutConfig[" + keys.size() + " keys]";
  }

  /** Builds a {@link BrownoutConfig}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, ConfigKey<?>> keys = new TreeMap<>();
    private final List<ConfigSource> classPath = new ArrayList<>();
    private final List<ConfigSource> files = new ArrayList<>();
    private @Nullable ConfigSource environment;
    private @Nullable ConfigSource systemProperties;
    private final Map<String, String> codeText = new LinkedHashMap<>();
    private final Map<String, Object> codeValues = new LinkedHashMap<>();
    private final boolean discover;

    private Builder(boolean discover) {
      this.discover = discover;
    }

    /**
     * Declares keys.
     *
     * @throws IllegalArgumentException if another key of the same name, or of the same environment
     *     variable, was declared already
     */
    public Builder declare(Collection<? extends ConfigKey<?>> declared) {
      for (ConfigKey<?> key : declared) {
        ConfigKey<?> existing = keys.get(key.name());
        if (existing != null && existing != key) {
          throw new IllegalArgumentException("config key " + key.name() + " is declared twice");
        }
        for (ConfigKey<?> other : keys.values()) {
          if (other != key && other.environmentVariable().equals(key.environmentVariable())) {
            throw new IllegalArgumentException(
                "config keys "
                    + other.name()
                    + " and "
                    + key.name()
                    + " map to the same environment variable "
                    + key.environmentVariable());
          }
        }
        keys.put(key.name(), key);
      }
      return this;
    }

    /** Declares keys. */
    public Builder declare(ConfigKey<?>... declared) {
      return declare(List.of(declared));
    }

    private void discoverDeclarations() {
      for (ModuleDeclarations module : ServiceLoader.load(ModuleDeclarations.class)) {
        declare(module.configKeys());
      }
    }

    /**
     * Adds the standard layers: {@code brownout.properties} on the class path, the file named by
     * {@value #CONFIG_FILE_PROPERTY} or {@value #CONFIG_FILE_VARIABLE}, the process environment and
     * the system properties.
     */
    public Builder standardSources() {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      URL resource =
          (loader != null ? loader : BrownoutConfig.class.getClassLoader())
              .getResource("brownout.properties");
      if (resource != null) {
        classPath.add(ConfigSource.ofResource(resource));
      }
      String named = System.getProperty(CONFIG_FILE_PROPERTY, System.getenv(CONFIG_FILE_VARIABLE));
      if (named != null && !named.isBlank()) {
        propertiesFile(Path.of(named));
      }
      environment(System.getenv());
      systemProperties(System.getProperties());
      return this;
    }

    /**
     * Reads a properties file, above the class-path resource and below the environment.
     *
     * @throws ConfigurationException if the file cannot be read
     */
    public Builder propertiesFile(Path file) {
      files.add(ConfigSource.ofFile(file));
      return this;
    }

    /**
     * Uses {@code variables} as the environment layer (the process environment in {@link
     * #standardSources()}).
     */
    public Builder environment(Map<String, String> variables) {
      this.environment = ConfigSource.ofEnvironment(variables);
      return this;
    }

    /** Uses {@code properties} as the system-property layer. */
    public Builder systemProperties(Properties properties) {
      Map<String, String> values = new LinkedHashMap<>();
      for (String name : properties.stringPropertyNames()) {
        values.put(name, properties.getProperty(name));
      }
      this.systemProperties = ConfigSource.ofMap("system property", values, false);
      return this;
    }

    /**
     * Sets a key's text in code, the highest layer; it is parsed and checked like any other layer.
     */
    public Builder set(String name, String text) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(text, "text");
      codeValues.remove(name);
      codeText.put(name, text);
      return this;
    }

    /**
     * Sets a key's value in code, the highest layer.
     *
     * @throws IllegalArgumentException if the value is out of the key's range
     */
    public <T> Builder set(ConfigKey<T> key, T value) {
      declare(key);
      try {
        key.type().check(value);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            key.name() + " = " + key.display(value) + ": " + e.getMessage(), e);
      }
      codeText.remove(key.name());
      codeValues.put(key.name(), value);
      return this;
    }

    /**
     * Reads every layer and validates every key.
     *
     * @throws ConfigurationException listing every problem found
     */
    public BrownoutConfig build() {
      if (discover) {
        discoverDeclarations();
      }
      Set<String> declared = keys.keySet();
      List<ConfigSource> layers = new ArrayList<>(classPath);
      layers.addAll(files);
      if (environment != null) {
        layers.add(environment);
      }
      if (systemProperties != null) {
        layers.add(systemProperties);
      }
      layers.add(ConfigSource.ofMap("code", codeText, true, false));

      Map<String, String> text = new LinkedHashMap<>();
      Map<String, String> origins = new LinkedHashMap<>();
      List<ConfigProblem> problems = new ArrayList<>();
      for (ConfigSource layer : layers) {
        layer
            .read(declared)
            .forEach(
                (name, value) -> {
                  if (declared.contains(name)) {
                    text.put(name, value);
                    origins.put(name, layer.origin(name));
                  } else if (layer.strictAboutUnknownKeys()) {
                    problems.add(
                        new ConfigProblem(name, layer.origin(name), null, unknownKeyMessage(name)));
                  } else {
                    log.warn(
                        "Ignoring {} from {}: {}",
                        name,
                        layer.origin(name),
                        unknownKeyMessage(name));
                  }
                });
      }

      Map<String, Object> values = new LinkedHashMap<>();
      for (ConfigKey<?> key : keys.values()) {
        String name = key.name();
        if (codeValues.containsKey(name)) {
          values.put(name, codeValues.get(name));
          origins.put(name, "code");
        } else if (text.containsKey(name)) {
          String raw = text.get(name).trim();
          try {
            values.put(name, key.type().parse(raw));
          } catch (IllegalArgumentException e) {
            problems.add(
                new ConfigProblem(name, origins.get(name), key.display(raw), e.getMessage()));
          }
        } else {
          key.defaultValue().ifPresent(value -> values.put(name, value));
        }
      }
      if (!problems.isEmpty()) {
        problems.sort(Comparator.comparing(ConfigProblem::key));
        throw new ConfigurationException(problems);
      }
      return new BrownoutConfig(Map.copyOf(keys), Map.copyOf(values), Map.copyOf(origins));
    }

    private String unknownKeyMessage(String name) {
      String normalized = name.toLowerCase(java.util.Locale.ROOT).replace('_', '.');
      String best = null;
      int bestDistance = Integer.MAX_VALUE;
      for (ConfigKey<?> key : keys.values()) {
        int distance =
            Math.min(editDistance(name, key.name()), editDistance(normalized, key.name()));
        if (distance < bestDistance) {
          bestDistance = distance;
          best = key.name();
        }
      }
      String base = "no Brownout module declares this key";
      if (best != null && bestDistance <= Math.max(2, best.length() / 6)) {
        return base + "; did you mean " + best + "?";
      }
      return base;
    }
  }

  /** Levenshtein distance, for "did you mean" suggestions. */
  static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
