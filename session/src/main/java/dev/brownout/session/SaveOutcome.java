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
  /** The session's id was changed: its changes and new secret written in one update. */
  ROTATED,
  /** The session was invalidated and deleted. */
  DELETED,
  /**
   * The session had been invalidated or had expired meanwhile and the request changed nothing but
   * its expiry: nothing was written, so it was not brought back.
   */
  GONE,
  /**
   * The request's changes could not be saved as it saw the session, so none were: see {@link
   * SessionConflict}. The filter answers {@code brownout.session.conflict-status}.
   */
  CONFLICT;

  // The metric tag, computed once: every save is timed under it.
  private final String tag = name().toLowerCase(Locale.ROOT).replace('_', '-');

  String tag() {
    return tag;
  }
}
