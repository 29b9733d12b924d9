package dev.brownout.session;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Session ids: 160 random bits from {@link SecureRandom}, base64url without padding (27
 * characters). An id of any other shape is rejected before any store call, so a forged or garbled
 * cookie costs nothing and reveals nothing.
 */
public final class SessionIds {
  /** Random bytes per id. */
  public static final int BYTES = 20;

  private static final int LENGTH = 27;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private SessionIds() {}

  /** A new id. */
  public static String generate() {
    byte[] bytes = new byte[BYTES];
    RANDOM.nextBytes(bytes);
    return ENCODER.encodeToString(bytes);
  }

  /** Whether {@code candidate} has the shape of an id this class generates. */
  public static boolean wellFormed(String candidate) {
    // Checked on every request that sends an id: a loop, not a regular expression.
    if (candidate == null || candidate.length() != LENGTH) {
      return false;
    }
    for (int i = 0; i < LENGTH; i++) {
      char c = candidate.charAt(i);
      boolean base64url =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-';
      if (!base64url) {
        return false;
      }
    }
    return true;
  }
}
