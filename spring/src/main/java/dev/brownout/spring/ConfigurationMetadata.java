package dev.brownout.spring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.brownout.core.ModuleDeclarations;
import dev.brownout.core.config.ConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Writes {@code META-INF/spring-configuration-metadata.json} from the declarations of every module
 * on the class path, so that IDEs complete and document {@code brownout.*} in {@code
 * application.yml} from the same declarations that validate the values. Run by the build ({@code
 * exec:java} in {@code process-classes}); never at run time.
 */
public final class ConfigurationMetadata {
  private ConfigurationMetadata() {}

  /**
   * {@code ConfigurationMetadata <output file>}.
   *
   * @param args the file to write
   * @throws IOException if it cannot be written
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ConfigurationMetadata <output file>");
    }
    Path out = Path.of(args[0]);
    Files.createDirectories(out.getParent());
    Files.writeString(out, json(declaredKeys()));
  }

  /** Every key that the modules on the class path declare, by name. */
  static List<ConfigKey<?>> declaredKeys() {
    List<ConfigKey<?>> keys = new ArrayList<>();
    for (ModuleDeclarations module :
        ServiceLoader.load(
            ModuleDeclarations.class, ConfigurationMetadata.class.getClassLoader())) {
      keys.addAll(module.configKeys());
    }
    keys.sort(Comparator.comparing(ConfigKey::name));
    return keys;
  }

  /** The metadata document for {@code keys}, in Spring Boot's format. */
  static String json(List<ConfigKey<?>> keys) throws IOException {
    List<Map<String, Object>> properties = new ArrayList<>();
    List<Map<String, Object>> hints = new ArrayList<>();
    for (ConfigKey<?> key : keys) {
      Map<String, Object> property = new LinkedHashMap<>();
      property.put("name", key.name());
      property.put("type", typeName(key));
      property.put("description", key.doc() + (key.secret() ? " Secret: never printed." : ""));
      property.put("sourceType", "dev.brownout.core.config.BrownoutConfig");
      if (!key.secret()) {
        defaultText(key).ifPresent(text -> property.put("defaultValue", text));
      }
      properties.add(property);
      Object[] constants = key.type().javaType().getEnumConstants();
      if (constants != null) {
        List<Map<String, Object>> values = new ArrayList<>();
        for (Object constant : constants) {
          values.add(Map.of("value", format(key, constant)));
        }
        hints.add(Map.of("name", key.name(), "values", values));
      }
    }
    Map<String, Object> document = new LinkedHashMap<>();
    document.put(
        "groups",
        List.of(
            Map.of(
                "name",
                "brownout",
                "type",
                "dev.brownout.core.config.BrownoutConfig",
                "description",
                "Brownout: every key is declared by a module and checked by that declaration.")));
    document.put("properties", properties);
    document.put("hints", hints);
    // Map.of's iteration order differs between JVM runs; sorted keys keep the jar reproducible.
    return new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .writeValueAsString(document)
        + "\n";
  }

  private static String typeName(ConfigKey<?> key) {
    Class<?> type = key.type().javaType();
    if (List.class.isAssignableFrom(type)) {
      return "java.util.List<java.lang.String>";
    }
    return type.getName();
  }

  private static <T> java.util.Optional<String> defaultText(ConfigKey<T> key) {
    return key.defaultValue().map(value -> key.type().format(value));
  }

  @SuppressWarnings("unchecked")
  private static <T> String format(ConfigKey<T> key, Object value) {
    return key.type().format((T) value);
  }
}
