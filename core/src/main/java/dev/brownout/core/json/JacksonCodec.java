package dev.brownout.core.json;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.Collection;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The Jackson-backed codec. Error messages are rewritten so they never echo the input. */
final class JacksonCodec implements JsonCodec {
  static final JacksonCodec STANDARD = new JacksonCodec();

  private final ObjectMapper mapper =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  @Override
  public byte[] encode(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new CodecException(
          "cannot encode " + value.getClass().getName() + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public <T> T decode(byte[] json, Class<T> type) {
    if (json.length == 0) {
      throw new CodecException("expected a JSON document but the input was empty", null);
    }
    try {
      return mapper.readValue(json, type);
    } catch (IOException e) {
      throw new CodecException(describe(e), e);
    }
  }

  private static String describe(IOException e) {
    if (e instanceof UnrecognizedPropertyException unknown) {
      return "unknown field '"
          + unknown.getPropertyName()
          + "' at "
          + path(unknown)
          + known(unknown.getKnownPropertyIds());
    }
    if (e instanceof InvalidFormatException invalid) {
      return "field "
          + path(invalid)
          + " must be "
          + simpleName(invalid.getTargetType())
          + where(invalid.getLocation());
    }
    if (e instanceof MismatchedInputException mismatched) {
      String path = path(mismatched);
      String target = simpleName(mismatched.getTargetType());
      String what = "$".equals(path) ? "the document" : "field " + path;
      return what
          + " has the wrong type or is missing; expected "
          + target
          + where(mismatched.getLocation());
    }
    if (e instanceof JsonMappingException mapping) {
      return "invalid value at "
          + path(mapping)
          + ": "
          + withoutInput(mapping.getOriginalMessage());
    }
    if (e instanceof JsonProcessingException processing) {
      return "malformed JSON"
          + where(processing.getLocation())
          + ": "
          + withoutInput(processing.getOriginalMessage());
    }
    return "cannot read JSON: " + e.getMessage();
  }

  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder("$");
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append('.').append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String known(Collection<Object> ids) {
    if (ids == null || ids.isEmpty()) {
      return "";
    }
    return "; known fields: "
        + ids.stream().map(String::valueOf).collect(Collectors.toCollection(TreeSet::new)).stream()
            .collect(Collectors.joining(", "));
  }

  private static String where(JsonLocation location) {
    if (location == null || location.getLineNr() < 0) {
      return "";
    }
    return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }

  private static String simpleName(Class<?> type) {
    if (type == null) {
      return "a value";
    }
    if (type.isEnum()) {
      StringBuilder values = new StringBuilder("one of ");
      Object[] constants = type.getEnumConstants();
      for (int i = 0; i < constants.length; i++) {
        values.append(i == 0 ? "" : ", ").append(constants[i]);
      }
      return values.toString();
    }
    return switch (type.getSimpleName()) {
      case "int", "Integer", "long", "Long", "short", "Short" -> "an integer";
      case "double", "Double", "float", "Float", "BigDecimal" -> "a number";
      case "boolean", "Boolean" -> "true or false";
      case "String" -> "a string";
      case "Instant" -> "an ISO-8601 instant such as 2026-01-01T00:00:00Z";
      case "Duration" -> "an ISO-8601 duration such as PT30S";
      default -> "a " + type.getSimpleName();
    };
  }

  /**
   * Jackson's first message line with quoted input removed: "Unrecognized token 'hunter2…'" must
   * not put a secret pasted into the wrong field into a response or a log. Field names in duplicate
   * field errors are kept; they are the key, not the value.
   */
  private static String withoutInput(String message) {
    String line = firstLine(message);
    if (line.startsWith("Unrecognized token")) {
      return "unrecognized token; expected a JSON value (string, number, object, array, true, false or null)";
    }
    if (line.startsWith("Duplicate field")) {
      return line;
    }
    return QUOTED.matcher(line).replaceAll("'…'");
  }

  private static final java.util.regex.Pattern QUOTED =
      java.util.regex.Pattern.compile("'[^']{2,}'|\"[^\"]{2,}\"");

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable input";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
