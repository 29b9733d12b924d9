package dev.brownout.flags;

import java.util.Set;

/**
 * Told about changes to {@link Flags}: definitions that changed, and the store going away and
 * coming back. Called from the flags' own thread, one call at a time, in order; a listener that
 * throws is logged and the others are still told. See {@link Flags#subscribe(FlagsListener)}.
 */
public interface FlagsListener {
  /** Flags were created, changed or deleted (or a segment they use changed), by key. */
  default void flagsChanged(Set<String> flags) {}

  /** The store stopped answering; the last good definitions are still served. */
  default void storeUnavailable(String reason) {}

  /** The store answers again. */
  default void storeAvailable() {}
}
