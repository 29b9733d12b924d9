package dev.brownout.session;

/**
 * Turns session attribute values into bytes and back, one attribute at a time, so one attribute
 * that no longer decodes (its class changed in a deploy) costs only that attribute. Implementations
 * are thread-safe.
 *
 * <p>Two ship with Brownout: {@link JsonSessionCodec}, the default, which stores JSON and knows
 * only the types it was told about; and {@link JavaSerializationCodec}, for applications that keep
 * {@code Serializable} objects, which deserializes only the classes on its allow-list.
 */
public interface SessionCodec {
  /** A short name for logs and metrics, such as {@code json}. */
  String name();

  /**
   * Checks, when the application sets the attribute, that the value's type can be encoded, so a
   * mistake fails at {@code setAttribute} with the application's stack rather than at the end of
   * the request. Values are encoded at the end of the request, so changes made after {@code
   * setAttribute} are saved too.
   *
   * @throws IllegalArgumentException naming the attribute and the type, if it cannot be encoded
   */
  void check(String attribute, Object value);

  /**
   * Encodes a value.
   *
   * @throws SessionCodecException if it cannot be encoded
   */
  byte[] encode(String attribute, Object value);

  /**
   * Decodes a value. The bytes are the stored ones, shared with the near cache: read them, do not
   * change them.
   *
   * @throws SessionCodecException if it cannot be decoded: unknown or disallowed type, or bytes
   *     this codec did not write
   */
  Object decode(String attribute, byte[] bytes);
}
