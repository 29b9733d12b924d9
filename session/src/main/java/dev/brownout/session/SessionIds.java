package dev.brownout.session;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Session ids: 160 random bits from {@link SecureRandom}, base64url without padding (27
 * characters). An id of any other shape is rejected before any store call, so a forged or garbled
 * cookie costs nothing and reveals nothing.
 */
public final class SessionIds {
  /** Random bytes per id. */
  public static final int BYTES = 20;

  private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{27}");
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
    return candidate != null && SHAPE.matcher(candidate).matches();
  }
}
