package dev.brownout.core.json;

import java.nio.charset.StandardCharsets;

/**
 * Encodes values to JSON and decodes JSON to values. Implementations are thread-safe.
 *
 * <p>The default, {@link #standard()}, is strict on input, because a typo in an admin request
 * should be an error rather than a silently ignored field: unknown fields, trailing content, and
 * {@code null} for a primitive are all rejected. Instants are written as ISO-8601 strings.
 */
public interface JsonCodec {

  /** Encodes {@code value} as UTF-8 JSON. */
  byte[] encode(Object value);

  /** Encodes {@code value} as a JSON string. */
  default String encodeToString(Object value) {
    return new String(encode(value), StandardCharsets.UTF_8);
  }

  /**
   * Decodes UTF-8 JSON into {@code type}.
   *
   * @throws CodecException naming the line, column and field path of the first problem
   */
  <T> T decode(byte[] json, Class<T> type);

  /** Decodes a JSON string into {@code type}; see {@link #decode(byte[], Class)}. */
  default <T> T decode(String json, Class<T> type) {
    return decode(json.getBytes(StandardCharsets.UTF_8), type);
  }

  /** The standard codec, backed by Jackson. */
  static JsonCodec standard() {
    return JacksonCodec.STANDARD;
  }
}
