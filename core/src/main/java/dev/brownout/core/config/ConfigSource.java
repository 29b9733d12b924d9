package dev.brownout.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * One layer of configuration: raw text values keyed by config key name. Sources are read once, when
 * {@link BrownoutConfig} is built.
 */
interface ConfigSource {

  /**
   * Describes where a key's value came from, for messages: {@code file /etc/brownout.properties}.
   */
  String origin(String key);

  /**
   * Whether a {@code brownout.*} entry that no module declares is an error here (a properties file
   * or code belongs to Brownout alone) or only a warning (environment and system properties are
   * shared with the whole process).
   */
  boolean strictAboutUnknownKeys();

  /**
   * The raw entries of this layer that concern Brownout: key name to text.
   *
   * @param declared names of every declared key, for sources that must map names (environment)
   */
  Map<String, String> read(Set<String> declared);

  /** A map of values, such as system properties or values set in code. */
  static ConfigSource ofMap(String kind, Map<String, String> values, boolean strict) {
    return ofMap(kind, values, strict, true);
  }

  /**
   * As {@link #ofMap(String, Map, boolean)}; {@code nameKey} says whether origins repeat the key.
   */
  static ConfigSource ofMap(
      String kind, Map<String, String> values, boolean strict, boolean nameKey) {
    Map<String, String> copy = new LinkedHashMap<>();
    values.forEach(
        (key, value) -> {
          if (key.startsWith("brownout.")) {
            copy.put(key, value);
          }
        });
    return new ConfigSource() {
      @Override
      public String origin(String key) {
        return nameKey ? kind + " " + key : kind;
      }

      @Override
      public boolean strictAboutUnknownKeys() {
        return strict;
      }

      @Override
      public Map<String, String> read(Set<String> declared) {
        return copy;
      }
    };
  }

  /** Environment variables: {@code BROWNOUT_ADMIN_PORT} sets {@code brownout.admin.port}. */
  static ConfigSource ofEnvironment(Map<String, String> environment) {
    Map<String, String> copy = Map.copyOf(environment);
    return new ConfigSource() {
      @Override
      public String origin(String key) {
        return "environment variable "
            + (key.startsWith("brownout.") ? ConfigKey.environmentVariable(key) : key);
      }

      @Override
      public boolean strictAboutUnknownKeys() {
        return false;
      }

      @Override
      public Map<String, String> read(Set<String> declared) {
        Map<String, String> byVariable = new LinkedHashMap<>();
        for (String name : declared) {
          byVariable.put(ConfigKey.environmentVariable(name), name);
        }
        Map<String, String> values = new LinkedHashMap<>();
        copy.forEach(
            (variable, value) -> {
              if (variable.startsWith("BROWNOUT_")
                  && !variable.equals(BrownoutConfig.CONFIG_FILE_VARIABLE)) {
                // An unknown variable is reported under its own name, which is what the user typed.
                values.put(byVariable.getOrDefault(variable, variable), value);
              }
            });
        return values;
      }
    };
  }

  /** A properties file on disk, which must exist. */
  static ConfigSource ofFile(Path file) {
    Map<String, String> values;
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      values = load(reader);
    } catch (IOException e) {
      throw new ConfigurationException(
          java.util.List.of(
              new ConfigProblem(
                  BrownoutConfig.CONFIG_FILE_PROPERTY,
                  "file " + file,
                  file.toString(),
                  "the configuration file cannot be read: " + e)));
    }
    return ofMap("file " + file, values, true, false);
  }

  /** A properties resource on the class path, used only if present. */
  static ConfigSource ofResource(URL resource) {
    Map<String, String> values;
    try (InputStream in = resource.openStream()) {
      values = load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigurationException(
          java.util.List.of(
              new ConfigProblem(
                  BrownoutConfig.CONFIG_FILE_PROPERTY,
                  "class path " + resource,
                  null,
                  "the configuration resource cannot be read: " + e)));
    }
    return ofMap("class path resource " + resource, values, true, false);
  }

  private static Map<String, String> load(Reader reader) throws IOException {
    Properties properties = new Properties();
    properties.load(reader);
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : properties.stringPropertyNames()) {
      values.put(name, properties.getProperty(name));
    }
    return values;
  }
}
