package dev.brownout.session;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.StateRecord;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a save does when another save got in first. Either it starts again on top of the other
 * save's record ({@link #rebase}), or it is refused ({@link #refuse}): nothing of it is written,
 * the refusal is counted and reported to the {@link SessionConflictListener}s, and the request is
 * answered with the conflict status instead of a 200 that would not be true.
 */
final class SaveConflicts {
  // Under the repository's name, as before the split, so existing log settings still apply.
  private static final Logger log = LoggerFactory.getLogger(SessionRepository.class);

  private final BrownoutMetrics metrics;
  private final String storeKind;
  private final List<SessionConflictListener> listeners;

  SaveConflicts(
      BrownoutMetrics metrics, String storeKind, List<SessionConflictListener> listeners) {
    this.metrics = metrics;
    this.storeKind = storeKind;
    this.listeners = List.copyOf(listeners);
  }

  /**
   * The attributes this save changes ({@code encoded}, {@code removes}) that the save behind {@code
   * current} changed too: those whose value there is not the one this request started from.
   */
  static Set<String> overlapping(
      SessionData data, StateRecord current, Map<String, byte[]> encoded, Set<String> removes) {
    Set<String> overlapping = new LinkedHashSet<>();
    for (String name : union(encoded.keySet(), removes)) {
      byte[] theirs = current.field(SessionData.field(name)).orElse(null);
      if (!Arrays.equals(theirs, data.stored.get(name))) {
        overlapping.add(name);
      }
    }
    return overlapping;
  }

  /**
   * Takes {@code current}'s attributes as the baseline a retry starts from; this save's own changes
   * stay as they are, so it writes them over the other save's (last writer wins).
   */
  static void rebase(SessionData data, StateRecord current) {
    SessionData.from(current)
        .ifPresent(
            fresh -> {
              data.stored.clear();
              data.stored.putAll(fresh.stored);
              data.storedSecretHash = fresh.storedSecretHash;
              data.previousSecrets = fresh.previousSecrets;
              data.rotatedAt = fresh.rotatedAt;
            });
  }

  /** Refuses a save: reported, counted, kept on {@code data} for the filter's answer. */
  SaveOutcome refuse(SessionData data, SessionConflict.Kind kind, Set<String> attributes) {
    SessionConflict conflict = new SessionConflict(data.key, kind, attributes);
    data.conflict = conflict;
    report(conflict);
    return SaveOutcome.CONFLICT;
  }

  /**
   * Reports a request refused because it carried an id replaced a moment ago, and would otherwise
   * have started a new session over the signed-in one.
   */
  SessionConflict replacedId(String key) {
    SessionConflict conflict = new SessionConflict(key, SessionConflict.Kind.ROTATED, Set.of());
    report(conflict);
    return conflict;
  }

  /** Reports held changes written over another server's, which were not refused. */
  void overwritten(SessionData data, Set<String> attributes) {
    report(new SessionConflict(data.key, SessionConflict.Kind.HELD_OVERWRITTEN, attributes));
  }

  private void report(SessionConflict conflict) {
    metrics.counter(SessionMetrics.CONFLICTS, storeKind, conflict.kind().tag()).increment();
    log.debug(
        "Session save refused or overwritten ({}): {}", conflict.kind(), conflict.attributes());
    for (SessionConflictListener listener : listeners) {
      try {
        listener.onConflict(conflict);
      } catch (RuntimeException listenerFailure) {
        log.warn("A session conflict listener failed", listenerFailure);
      }
    }
  }

  static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> union = new LinkedHashSet<>(a);
    union.addAll(b);
    return union;
  }
}
