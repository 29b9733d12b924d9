package dev.brownout.session;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.BrownoutClock;
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
 * field per session (by {@linkplain SessionIds#key key}) holding its creation time and when its
 * entry expires, so a principal's sessions can be listed, capped and signed out everywhere without
 * ever listing the sessions namespace.
 *
 * <p>It stays small: every bind prunes the entries that have expired (no reads needed), the record
 * expires with its longest-lived entry (not later), and past {@value #MAX_ENTRIES} entries, or the
 * configured cap, entries whose sessions are gone are pruned and then the oldest sessions evicted.
 * Every change is a compare-and-set on the index record, so binds on many servers at once keep the
 * index and the cap right. Entries can still outlive their sessions (an invalidation elsewhere);
 * readers prune them.
 */
final class PrincipalIndex {
  // Under the repository's name, as before the split, so existing log settings still apply.
  private static final Logger log = LoggerFactory.getLogger(SessionRepository.class);
  private static final int CAS_ATTEMPTS = 10;

  /** The most entries an index keeps whatever the cap: well inside any store's record limit. */
  static final int MAX_ENTRIES = 1000;

  private final StateStore store;
  private final Namespace sessions;
  private final BrownoutMetrics metrics;
  private final int maxPerPrincipal;
  private final SessionLoader loader;
  private final BrownoutClock clock;

  PrincipalIndex(
      StateStore store,
      Namespace sessions,
      BrownoutMetrics metrics,
      int maxPerPrincipal,
      SessionLoader loader,
      BrownoutClock clock) {
    this.store = store;
    this.sessions = sessions;
    this.metrics = metrics;
    this.maxPerPrincipal = maxPerPrincipal;
    this.loader = loader;
    this.clock = clock;
  }

  /** One index entry: the session's creation and when the entry may be dropped. */
  private record Entry(long created, long expires) {
    static Entry parse(byte[] value) {
      String text = new String(value, StandardCharsets.UTF_8);
      int colon = text.indexOf(':');
      try {
        if (colon < 0) {
          // Written before entries had expiries: kept until a reader finds its session gone.
          return new Entry(Long.parseLong(text), Long.MAX_VALUE);
        }
        return new Entry(
            Long.parseLong(text.substring(0, colon)), Long.parseLong(text.substring(colon + 1)));
      } catch (NumberFormatException e) {
        return new Entry(0, 0);
      }
    }

    byte[] bytes() {
      return (created + ":" + expires).getBytes(StandardCharsets.UTF_8);
    }
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
   * When the index entry may expire, if written now: twice the idle timeout, so one refresh per
   * idle period (see {@link #due}) keeps it alive as long as the session; never past the deadline.
   */
  static Instant expiry(SessionData data, Instant now) {
    Instant expiry = now.plus(data.maxInactive.multipliedBy(2));
    return data.deadline != null && data.deadline.isBefore(expiry) ? data.deadline : expiry;
  }

  /**
   * Adds (or refreshes) the session in its principal's index, atomically (compare-and-set on the
   * index record): expired entries are dropped, and over the cap, entries of sessions that are
   * gone, then the oldest sessions, which are evicted.
   */
  void bind(SessionData data, Instant expiry) {
    String principal = Objects.requireNonNull(data.principal);
    int cap = maxPerPrincipal > 0 ? Math.min(maxPerPrincipal, MAX_ENTRIES) : MAX_ENTRIES;
    List<String> evicted = List.of();
    for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      long now = clock.instant().toEpochMilli();
      Optional<StateRecord> index = store.read(SessionRepository.PRINCIPALS, principal);
      Map<String, Entry> entries = entries(index);
      Set<String> drop = new LinkedHashSet<>();
      entries.remove(data.key);
      entries.entrySet().removeIf(e -> e.getValue().expires <= now && drop.add(e.getKey()));
      evicted = new ArrayList<>();
      if (entries.size() >= cap) {
        // A configured cap is small: its entries are checked one small read each, so a session
        // that is gone is pruned before a live one is evicted. The hard limit evicts the oldest.
        if (maxPerPrincipal > 0) {
          for (String dead : dead(entries.keySet())) {
            entries.remove(dead);
            drop.add(dead);
          }
        }
        List<Map.Entry<String, Entry>> oldest = new ArrayList<>(entries.entrySet());
        oldest.sort(Comparator.comparingLong(e -> e.getValue().created));
        for (int i = 0; entries.size() - i >= cap; i++) {
          evicted.add(oldest.get(i).getKey());
          drop.add(oldest.get(i).getKey());
        }
        evicted.forEach(entries::remove);
      }
      Entry mine = new Entry(data.created.toEpochMilli(), expiry.toEpochMilli());
      // The record lives as long as its longest-lived entry: no longer, so it cannot grow forever.
      long recordExpiry = mine.expires;
      for (Entry entry : entries.values()) {
        recordExpiry = Math.max(recordExpiry, entry.expires);
      }
      Update.Builder update =
          Update.builder()
              .set(data.key, mine.bytes())
              .precondition(
                  index.isPresent()
                      ? Precondition.versionEquals(index.get().version())
                      : Precondition.absent());
      if (recordExpiry == Long.MAX_VALUE) {
        update.persist();
      } else {
        update.expireAt(Instant.ofEpochMilli(recordExpiry));
      }
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
    for (String key : evicted) {
      if (store.delete(sessions, key, Precondition.none())) {
        metrics.counter(SessionMetrics.EVENTS, "evicted").increment();
        log.info("Session evicted: its principal is over the cap of {}", cap);
      }
    }
  }

  /** Removes one session from its principal's index; nothing if it has no principal. */
  void remove(@Nullable String principal, String key) {
    if (principal == null) {
      return;
    }
    try {
      store.update(
          SessionRepository.PRINCIPALS,
          principal,
          Update.builder().remove(key).precondition(Precondition.present()).build());
    } catch (PreconditionFailedException e) {
      // no index: nothing to remove
    }
  }

  /** The live sessions of a principal, oldest first; dead index entries are pruned. */
  List<SessionData> liveSessions(String principal) {
    return live(principal, entries(store.read(SessionRepository.PRINCIPALS, principal)));
  }

  private List<SessionData> live(String principal, Map<String, Entry> entries) {
    List<Map.Entry<String, Entry>> ordered = new ArrayList<>(entries.entrySet());
    ordered.sort(Comparator.comparingLong(e -> e.getValue().created));
    List<SessionData> live = new ArrayList<>();
    for (Map.Entry<String, Entry> entry : ordered) {
      Optional<SessionData> data = loader.loadByKey(entry.getKey());
      // A session bound to another principal since belongs to them now.
      if (data.isPresent() && principal.equals(data.get().principal)) {
        live.add(data.get());
      } else {
        remove(principal, entry.getKey());
      }
    }
    return live;
  }

  /**
   * Signs a principal out everywhere: deletes every session the index lists, then the index, but
   * only if no session was bound meanwhile (compare-and-set); otherwise it goes round again, so no
   * session is left alive and unindexed. Returns how many sessions were deleted.
   */
  int invalidateAll(String principal) {
    int count = 0;
    for (int attempt = 0; ; attempt++) {
      Optional<StateRecord> index = store.read(SessionRepository.PRINCIPALS, principal);
      if (index.isEmpty()) {
        return count;
      }
      for (String key : entries(index).keySet()) {
        Optional<SessionData> data = loader.loadByKey(key);
        if (data.isPresent()
            && principal.equals(data.get().principal)
            && store.delete(sessions, key, Precondition.none())) {
          count++;
          metrics.counter(SessionMetrics.EVENTS, "invalidated").increment();
        }
      }
      try {
        store.delete(
            SessionRepository.PRINCIPALS,
            principal,
            Precondition.versionEquals(index.get().version()));
        return count;
      } catch (PreconditionFailedException e) {
        if (attempt >= CAS_ATTEMPTS) {
          throw e;
        }
        // a sign-in bound a session meanwhile: its session goes too
      }
    }
  }

  private static Map<String, Entry> entries(Optional<StateRecord> index) {
    Map<String, Entry> entries = new HashMap<>();
    index.ifPresent(
        record ->
            record.sharedFields().forEach((key, value) -> entries.put(key, Entry.parse(value))));
    return entries;
  }

  /** The keys whose session records are gone, read by one small field each. */
  private Set<String> dead(Set<String> keys) {
    Set<String> dead = new LinkedHashSet<>();
    for (String key : keys) {
      if (store.read(sessions, key, Set.of(SessionData.CREATED)).isEmpty()) {
        dead.add(key);
      }
    }
    return dead;
  }
}
