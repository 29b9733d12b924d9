package dev.brownout.session;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.Update;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-principal index in {@link SessionRepository#PRINCIPALS}: one record per principal, a
 * field per session holding its creation time, so a principal's sessions can be listed, capped and
 * signed out everywhere without ever listing the sessions namespace. Entries can outlive their
 * sessions (expiry, a lost race); readers prune them.
 */
final class PrincipalIndex {
  // Under the repository's name, as before the split, so existing log settings still apply.
  private static final Logger log = LoggerFactory.getLogger(SessionRepository.class);
  private static final int CAS_ATTEMPTS = 10;

  private final StateStore store;
  private final Namespace sessions;
  private final BrownoutMetrics metrics;
  private final int maxPerPrincipal;
  private final SessionLoader loader;

  PrincipalIndex(
      StateStore store,
      Namespace sessions,
      BrownoutMetrics metrics,
      int maxPerPrincipal,
      SessionLoader loader) {
    this.store = store;
    this.sessions = sessions;
    this.metrics = metrics;
    this.maxPerPrincipal = maxPerPrincipal;
    this.loader = loader;
  }

  /**
   * Whether a bound session's index entry needs writing: it never was, or the index record could
   * expire before the session does.
   */
  boolean due(SessionData data, Instant now) {
    if (data.principal == null) {
      return false;
    }
    return data.indexExpiry == null
        || Duration.between(now, data.indexExpiry).compareTo(data.maxInactive) < 0;
  }

  /**
   * When the index record may expire, if written now: twice the idle timeout, so one refresh per
   * idle period (see {@link #due}) keeps it alive as long as the session; never past the deadline.
   */
  static Instant expiry(SessionData data, Instant now) {
    Instant expiry = now.plus(data.maxInactive.multipliedBy(2));
    return data.deadline != null && data.deadline.isBefore(expiry) ? data.deadline : expiry;
  }

  /**
   * Adds the session to its principal's index, atomically (compare-and-set on the index record),
   * dropping {@code previousId} (the id it was rotated from) and evicting the oldest sessions over
   * the cap.
   */
  void bind(SessionData data, @Nullable String previousId, Instant expiry) {
    String principal = Objects.requireNonNull(data.principal);
    List<String> evicted = List.of();
    for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      Optional<StateRecord> index = store.read(SessionRepository.PRINCIPALS, principal);
      Map<String, Long> entries = entries(index);
      entries.remove(data.id);
      Set<String> drop = new LinkedHashSet<>();
      if (previousId != null && entries.remove(previousId) != null) {
        drop.add(previousId);
      }
      evicted = new ArrayList<>();
      if (maxPerPrincipal > 0 && entries.size() >= maxPerPrincipal) {
        for (String dead : dead(entries.keySet())) {
          entries.remove(dead);
          drop.add(dead);
        }
        List<Map.Entry<String, Long>> oldest = new ArrayList<>(entries.entrySet());
        oldest.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
        for (int i = 0; entries.size() - i >= maxPerPrincipal; i++) {
          evicted.add(oldest.get(i).getKey());
          drop.add(oldest.get(i).getKey());
        }
      }
      // The index lives as long as its longest-lived session, not just the latest one bound.
      Instant indexExpiry = expiry;
      if (index.isPresent() && index.get().expiresAt().isPresent()) {
        Instant current = index.get().expiresAt().get();
        if (current.isAfter(indexExpiry)) {
          indexExpiry = current;
        }
      }
      Update.Builder update =
          Update.builder()
              .set(data.id, SessionData.text(data.created.toEpochMilli()))
              .expireAt(indexExpiry)
              .precondition(
                  index.isPresent()
                      ? Precondition.versionEquals(index.get().version())
                      : Precondition.absent());
      drop.forEach(update::remove);
      try {
        store.update(SessionRepository.PRINCIPALS, principal, update.build());
        data.indexExpiry = expiry;
        break;
      } catch (PreconditionFailedException e) {
        evicted = List.of();
        // another server changed the index meanwhile: read it again
      }
    }
    // Evicted only once the index no longer lists them, so a failed bind evicts nobody.
    for (String id : evicted) {
      if (store.delete(sessions, id, Precondition.none())) {
        metrics.counter(SessionMetrics.EVENTS, "evicted").increment();
        log.info("Session evicted: its principal is over the cap of {}", maxPerPrincipal);
      }
    }
  }

  /** Removes one session from its principal's index; nothing if it has no principal. */
  void remove(@Nullable String principal, String id) {
    if (principal == null) {
      return;
    }
    try {
      store.update(
          SessionRepository.PRINCIPALS,
          principal,
          Update.builder().remove(id).precondition(Precondition.present()).build());
    } catch (PreconditionFailedException e) {
      // no index: nothing to remove
    }
  }

  /** The live sessions of a principal, oldest first; dead index entries are pruned. */
  List<SessionData> liveSessions(String principal) {
    Map<String, Long> entries = entries(store.read(SessionRepository.PRINCIPALS, principal));
    List<Map.Entry<String, Long>> ordered = new ArrayList<>(entries.entrySet());
    ordered.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
    List<SessionData> live = new ArrayList<>();
    for (Map.Entry<String, Long> entry : ordered) {
      Optional<SessionData> data = loader.load(entry.getKey());
      // A session bound to another principal since belongs to them now.
      if (data.isPresent() && principal.equals(data.get().principal)) {
        live.add(data.get());
      } else {
        remove(principal, entry.getKey());
      }
    }
    return live;
  }

  /** Signs a principal out everywhere: deletes every session of theirs; returns how many. */
  int invalidateAll(String principal) {
    int count = 0;
    for (SessionData session : liveSessions(principal)) {
      if (store.delete(sessions, session.id, Precondition.none())) {
        count++;
        metrics.counter(SessionMetrics.EVENTS, "invalidated").increment();
      }
    }
    store.delete(SessionRepository.PRINCIPALS, principal, Precondition.none());
    return count;
  }

  private static Map<String, Long> entries(Optional<StateRecord> index) {
    Map<String, Long> entries = new HashMap<>();
    index.ifPresent(
        record ->
            record
                .fields()
                .forEach(
                    (id, created) -> {
                      try {
                        entries.put(
                            id, Long.parseLong(new String(created, StandardCharsets.UTF_8)));
                      } catch (NumberFormatException e) {
                        entries.put(id, 0L);
                      }
                    }));
    return entries;
  }

  /** The ids whose session records are gone, read by one small field each. */
  private Set<String> dead(Set<String> ids) {
    Set<String> dead = new LinkedHashSet<>();
    for (String id : ids) {
      if (store.read(sessions, id, Set.of(SessionData.CREATED)).isEmpty()) {
        dead.add(id);
      }
    }
    return dead;
  }
}
