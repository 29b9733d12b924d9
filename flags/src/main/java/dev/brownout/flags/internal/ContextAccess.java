package dev.brownout.flags.internal;

import dev.brownout.flags.FlagContext;

/**
 * What evaluation reads from a {@link FlagContext} that is not public API: the UTF-8 bytes of its
 * key, encoded once when the context is built so that bucketing hashes bytes instead of re-encoding
 * the key for every flag. {@code FlagContext} registers the accessor when its class initializes,
 * which is before any context exists.
 */
public final class ContextAccess {
  /** The accessor {@code FlagContext} registers. */
  public interface Accessor {
    /** The key's UTF-8 bytes; the array is the context's own and must not be changed. */
    byte[] keyUtf8(FlagContext context);
  }

  private static Accessor accessor;

  private ContextAccess() {}

  /**
   * Registers the accessor; only {@code FlagContext} calls this, once.
   *
   * @throws IllegalStateException if one is registered already
   */
  public static synchronized void register(Accessor registered) {
    if (accessor != null) {
      throw new IllegalStateException("the FlagContext accessor is registered already");
    }
    accessor = registered;
  }

  static byte[] keyUtf8(FlagContext context) {
    return accessor.keyUtf8(context);
  }
}
