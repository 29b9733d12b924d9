package dev.brownout.state.redis;

import java.nio.charset.StandardCharsets;

/**
 * Text to bytes and back for the store's Redis data: ASCII for the numbers and codes the scripts
 * parse, UTF-8 for keys, field names and channels, which may hold any text.
 */
final class Bytes {
  private Bytes() {}

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  static String ascii(byte[] bytes) {
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
