package dev.brownout.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * Session ids. An id is {@code <key>.<secret>}: the key (160 random bits, 27 base64url characters)
 * names the session's record, and the secret (128 random bits, 22 characters) proves the holder may
 * use it. The store keeps only the secret's SHA-256, so a copy of the store (a backup, a replica,
 * an operator's listing) holds no usable session credential, and rotating the id ({@code
 * changeSessionId}) is one atomic update of the record that replaces the secret: whatever other
 * requests saved meanwhile stays, and the old id stops working everywhere at once.
 *
 * <p>An id of any other shape is rejected before any store call, so a forged or garbled cookie
 * costs nothing and reveals nothing. A bare key (27 characters) is accepted for records written
 * before ids had secrets, and only for those.
 */
public final class SessionIds {
  /** Random bytes per key. */
  public static final int BYTES = 20;

  /** Random bytes per secret. */
  public static final int SECRET_BYTES = 16;

  private static final int KEY_LENGTH = 27;
  private static final int SECRET_LENGTH = 22;
  private static final int LENGTH = KEY_LENGTH + 1 + SECRET_LENGTH;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private SessionIds() {}

  /** A new id: a fresh key and secret. */
  public static String generate() {
    return withSecret(newKey(), newSecret());
  }

  /** A new record key. */
  static String newKey() {
    return random(BYTES);
  }

  /** A new secret. */
  static String newSecret() {
    return random(SECRET_BYTES);
  }

  static String withSecret(String key, String secret) {
    return key + '.' + secret;
  }

  private static String random(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return ENCODER.encodeToString(random);
  }

  /** Whether {@code candidate} has the shape of an id: a key and secret, or a bare key. */
  public static boolean wellFormed(@Nullable String candidate) {
    // Checked on every request that sends an id: a loop, not a regular expression.
    if (candidate == null) {
      return false;
    }
    if (candidate.length() == KEY_LENGTH) {
      return base64url(candidate, 0, KEY_LENGTH);
    }
    return candidate.length() == LENGTH
        && candidate.charAt(KEY_LENGTH) == '.'
        && base64url(candidate, 0, KEY_LENGTH)
        && base64url(candidate, KEY_LENGTH + 1, LENGTH);
  }

  /**
   * The key of a well-formed id: what names the session for management ({@link
   * SessionRepository#find}, {@link SessionRepository#invalidate}) but cannot open it.
   */
  public static String key(String id) {
    return id.length() > KEY_LENGTH ? id.substring(0, KEY_LENGTH) : id;
  }

  /** The secret of a well-formed id; null for a bare key. */
  static @Nullable String secret(String id) {
    return id.length() > KEY_LENGTH ? id.substring(KEY_LENGTH + 1) : null;
  }

  /** What the record keeps of a secret: its SHA-256. */
  static byte[] hash(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(secret.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * Whether {@code secret} is the one whose hash the record keeps; in time independent of where
   * they differ. A bare key matches only a record without a secret.
   */
  static boolean matches(@Nullable String secret, byte @Nullable [] storedHash) {
    if (secret == null || storedHash == null) {
      return secret == null && storedHash == null;
    }
    return MessageDigest.isEqual(hash(secret), storedHash);
  }

  private static boolean base64url(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
