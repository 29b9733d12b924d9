package dev.brownout.session;

import java.util.Locale;

/** What saving a session did. */
public enum SaveOutcome {
  /** A new session was written. */
  CREATED,
  /** Changes, or the expiry refresh, were written. */
  UPDATED,
  /** Nothing had changed and the expiry was not due: nothing was written. */
  UNCHANGED,
  /** The session was written under its new id and the old id deleted. */
  ROTATED,
  /** The session was invalidated and deleted. */
  DELETED,
  /**
   * The session had been invalidated or had expired meanwhile: nothing was written, so it was not
   * brought back.
   */
  GONE;

  // The metric tag, computed once: every save is timed under it.
  private final String tag = name().toLowerCase(Locale.ROOT);

  String tag() {
    return tag;
  }
}
