package dev.brownout.session;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A session save that could not be made as the request saw the session, so nothing of it was
 * written; the request is answered with {@code brownout.session.conflict-status} (409 by default)
 * and a problem of type {@value SessionFilter#CONFLICT_PROBLEM_TYPE}.
 *
 * @param sessionId the session's {@linkplain SessionIds#key key}
 * @param kind why
 * @param attributes the attributes concerned: those another request changed first for {@link
 *     Kind#ATTRIBUTES}, every attribute the request changed otherwise
 */
public record SessionConflict(String sessionId, Kind kind, Set<String> attributes) {
  /** Why a save was refused. */
  public enum Kind {
    /**
     * Optimistic mode: another request saved a change to the same attributes first; its values were
     * kept.
     */
    ATTRIBUTES,
    /** Other requests kept saving first, however often this one started again on their change. */
    RETRIES_EXHAUSTED,
    /** The session was invalidated or expired while the request ran: saving would bring it back. */
    GONE,
    /**
     * The session's id was changed (a sign-in) while the request ran under the old one, which no
     * longer names it: a change made through an id that may be a fixation attacker's is refused.
     */
    ROTATED,
    /**
     * Serve-cached policy: a change held during an outage was written back over a change another
     * server made to the same attributes meanwhile (reported; the held change was written).
     */
    HELD_OVERWRITTEN;

    /** The metric tag. */
    String tag() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** Copies the set. */
  public SessionConflict {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(kind, "kind");
    attributes = Set.copyOf(attributes);
  }
}
