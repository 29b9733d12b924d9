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
 * What an optimistic save does when another save got in first: an attribute both changed keeps the
 * other save's value (counted, and reported to the {@link SessionConflictListener}s), and the rest
 * of this save is retried on top of the other's record.
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
   * Rebases a save on {@code current}, the record another save wrote: drops from {@code encoded}
   * and {@code removes} every attribute that save changed too, and takes {@code current}'s
   * attributes as the baseline the retry compares against.
   */
  void rebase(
      SessionData data, StateRecord current, Map<String, byte[]> encoded, Set<String> removes) {
    Set<String> conflicts = new LinkedHashSet<>();
    for (String name : union(encoded.keySet(), removes)) {
      byte[] theirs = current.field(SessionData.field(name)).orElse(null);
      if (!Arrays.equals(theirs, data.stored.get(name))) {
        conflicts.add(name);
      }
    }
    encoded.keySet().removeAll(conflicts);
    removes.removeAll(conflicts);
    if (!conflicts.isEmpty()) {
      report(data.id, conflicts);
    }
    SessionData.from(current)
        .ifPresent(
            fresh -> {
              data.stored.clear();
              data.stored.putAll(fresh.stored);
              // Read again, these give the other save's value rather than this request's.
              for (String name : conflicts) {
                data.values.remove(name);
              }
            });
  }

  private void report(String sessionId, Set<String> conflicts) {
    metrics.counter(SessionMetrics.CONFLICTS, storeKind).increment(conflicts.size());
    SessionConflict conflict = new SessionConflict(sessionId, conflicts);
    for (SessionConflictListener listener : listeners) {
      try {
        listener.onConflict(conflict);
      } catch (RuntimeException listenerFailure) {
        log.warn("A session conflict listener failed", listenerFailure);
      }
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> union = new LinkedHashSet<>(a);
    union.addAll(b);
    return union;
  }
}
