package dev.brownout.session;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The default codec: each attribute is stored as JSON, {@code {"t":"<type>","v":<value>}}.
 *
 * <p>It knows JSON's own values without being told: {@code String}, {@code Boolean}, {@code
 * Integer}, {@code Long}, {@code Double}, {@code BigDecimal}, {@code Instant}, and lists and maps
 * (string keys) of those, which read back as {@code List} and {@code Map}. Any other type must be
 * registered under a stable alias, {@code register("cart", Cart.class)}: the alias, not the class
 * name, is stored, so a class can be renamed or moved between deploys, and nothing in the stored
 * bytes can make the codec load a class it was not told about. Fields a class no longer has are
 * ignored when decoding, and fields it gained take their defaults, so adding and removing fields is
 * a safe deploy.
 */
public final class JsonSessionCodec implements SessionCodec {
  private static final Pattern ALIAS = Pattern.compile("[a-zA-Z][a-zA-Z0-9_.-]{0,63}");
  private static final Map<String, Class<?>> BUILT_IN = builtIn();

  private final ObjectMapper mapper;
  private final Map<String, Class<?>> byAlias;
  private final Map<Class<?>, String> byType;

  private JsonSessionCodec(Builder builder) {
    this.mapper =
        JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    this.byAlias = Map.copyOf(builder.byAlias);
    Map<Class<?>, String> types = new LinkedHashMap<>();
    BUILT_IN.forEach((alias, type) -> types.put(type, alias));
    builder.byAlias.forEach((alias, type) -> types.put(type, alias));
    this.byType = Map.copyOf(types);
  }

  /** A codec that knows only JSON's own values. */
  public static JsonSessionCodec standard() {
    return builder().build();
  }

  /** Starts a builder, to register the application's types. */
  public static Builder builder() {
    return new Builder();
  }

  private static Map<String, Class<?>> builtIn() {
    Map<String, Class<?>> types = new LinkedHashMap<>();
    types.put("string", String.class);
    types.put("boolean", Boolean.class);
    types.put("int", Integer.class);
    types.put("long", Long.class);
    types.put("double", Double.class);
    types.put("decimal", BigDecimal.class);
    types.put("instant", Instant.class);
    types.put("list", List.class);
    types.put("map", Map.class);
    return types;
  }

  @Override
  public String name() {
    return "json";
  }

  @Override
  public void check(String attribute, Object value) {
    String problem = problem(value, 0);
    if (problem != null) {
      throw new IllegalArgumentException(
          "session attribute '" + attribute + "' cannot be stored as JSON: " + problem);
    }
  }

  private String problem(Object value, int depth) {
    if (depth > 32) {
      return "it nests deeper than 32 levels";
    }
    if (value == null) {
      return depth == 0 ? "null is removeAttribute" : null;
    }
    if (value instanceof List<?> list) {
      for (Object element : list) {
        String problem = problem(element, depth + 1);
        if (problem != null) {
          return problem;
        }
      }
      return null;
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!(entry.getKey() instanceof String)) {
          return "a map key is a " + entry.getKey().getClass().getName() + ", not a String";
        }
        String problem = problem(entry.getValue(), depth + 1);
        if (problem != null) {
          return problem;
        }
      }
      return null;
    }
    if (value instanceof Collection<?>) {
      return "it holds a "
          + value.getClass().getName()
          + "; only lists and maps are built in (copy it into a List, or register a type)";
    }
    if (byType.containsKey(value.getClass())) {
      return null;
    }
    return "its type "
        + value.getClass().getName()
        + " is not registered; register it with JsonSessionCodec.builder().register(\"<alias>\", "
        + value.getClass().getSimpleName()
        + ".class), or use JavaSerializationCodec with an allow-list";
  }

  private String alias(Object value) {
    if (value instanceof List<?>) {
      return "list";
    }
    if (value instanceof Map<?, ?>) {
      return "map";
    }
    return byType.get(value.getClass());
  }

  @Override
  public byte[] encode(String attribute, Object value) {
    check(attribute, value);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (JsonGenerator json = mapper.createGenerator(bytes)) {
      json.writeStartObject();
      json.writeStringField("t", alias(value));
      json.writeFieldName("v");
      json.writeObject(value);
      json.writeEndObject();
    } catch (IOException | IllegalArgumentException e) {
      throw new SessionCodecException(
          attribute,
          "session attribute '" + attribute + "' cannot be encoded as JSON: " + e.getMessage(),
          e);
    }
    return bytes.toByteArray();
  }

  @Override
  public Object decode(String attribute, byte[] bytes) {
    try {
      JsonNode node = mapper.readTree(bytes);
      if (node == null || !node.isObject() || !node.path("t").isTextual() || !node.has("v")) {
        throw new SessionCodecException(
            attribute,
            "session attribute '" + attribute + "' was not written by the JSON session codec",
            null);
      }
      String alias = node.get("t").asText();
      Class<?> type = BUILT_IN.containsKey(alias) ? BUILT_IN.get(alias) : byAlias.get(alias);
      if (type == null) {
        throw new SessionCodecException(
            attribute,
            "session attribute '"
                + attribute
                + "' has type alias '"
                + alias
                + "', which this codec does not know (was it unregistered in a deploy?)",
            null);
      }
      return mapper.treeToValue(node.get("v"), type);
    } catch (IOException | IllegalArgumentException e) {
      throw new SessionCodecException(
          attribute,
          "session attribute '" + attribute + "' cannot be decoded from JSON: " + e.getMessage(),
          e);
    }
  }

  /** Builds a {@link JsonSessionCodec}. */
  public static final class Builder {
    private final Map<String, Class<?>> byAlias = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Registers an application type under a stable alias.
     *
     * @throws IllegalArgumentException if the alias is malformed, built in, or taken, or the type
     *     is registered already
     */
    public Builder register(String alias, Class<?> type) {
      Objects.requireNonNull(alias, "alias");
      Objects.requireNonNull(type, "type");
      if (!ALIAS.matcher(alias).matches()) {
        throw new IllegalArgumentException(
            "alias '"
                + alias
                + "' must match "
                + ALIAS.pattern()
                + " (for "
                + type.getName()
                + ")");
      }
      if (BUILT_IN.containsKey(alias)) {
        throw new IllegalArgumentException("alias '" + alias + "' is built in; choose another");
      }
      if (byAlias.containsKey(alias)) {
        throw new IllegalArgumentException(
            "alias '" + alias + "' is already registered for " + byAlias.get(alias).getName());
      }
      if (byAlias.containsValue(type) || BUILT_IN.containsValue(type)) {
        throw new IllegalArgumentException(type.getName() + " is already registered");
      }
      byAlias.put(alias, type);
      return this;
    }

    /** Builds the codec. */
    public JsonSessionCodec build() {
      return new JsonSessionCodec(this);
    }
  }
}
