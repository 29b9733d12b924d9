package dev.brownout.session;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions in a {@link StateStore}: one record per session, written as a delta in one atomic
 * update. The servlet filter uses it for every request; applications use it to look sessions up and
 * to sign a user out everywhere ({@link #invalidateAll(String)}).
 *
 * <p>Store failures surface as {@link dev.brownout.state.StateException}s; the filter applies the
 * {@link StoreDownPolicy}. Thread-safe.
 */
public final class SessionRepository {
  /** The namespace of session records. */
  public static final Namespace SESSIONS = Namespace.large("brownout-sessions");

  /** The namespace of the principal index: one record per principal, a field per session. */
  public static final Namespace PRINCIPALS = Namespace.large("brownout-session-principals");

  /** The namespace of lock-mode leases. */
  public static final Namespace LOCKS = Namespace.large("brownout-session-locks");

  private static final Logger log = LoggerFactory.getLogger(SessionRepository.class);
  private static final int CAS_ATTEMPTS = 10;

  private final StateStore store;
  private final Namespace sessions;
  private final SessionCodec codec;
  private final BrownoutClock clock;
  private final BrownoutMetrics metrics;
  private final ConcurrencyMode concurrency;
  private final double touchThreshold;
  private final int maxPerPrincipal;
  private final boolean detectInPlace;
  private final CodecFailurePolicy codecFailure;
  private final List<SessionConflictListener> conflictListeners;
  // Meters are looked up once: a registry lookup per request costs more than the work it times.
  private final Map<String, Timer> loadTimers = new HashMap<>();
  private final Map<String, Timer> saveTimers = new HashMap<>();
  private final DistributionSummary bytesWritten;

  SessionRepository(
      StateStore store,
      boolean watched,
      SessionCodec codec,
      BrownoutClock clock,
      BrownoutMetrics metrics,
      ConcurrencyMode concurrency,
      double touchThreshold,
      int maxPerPrincipal,
      boolean detectInPlace,
      CodecFailurePolicy codecFailure,
      List<SessionConflictListener> conflictListeners) {
    this.store = store;
    this.sessions = watched ? SESSIONS.withWatch() : SESSIONS;
    this.codec = codec;
    this.clock = clock;
    this.metrics = metrics;
    this.concurrency = concurrency;
    this.touchThreshold = touchThreshold;
    this.maxPerPrincipal = maxPerPrincipal;
    this.detectInPlace = detectInPlace;
    this.codecFailure = codecFailure;
    this.conflictListeners = List.copyOf(conflictListeners);
    for (String outcome : List.of("found", "absent", "error")) {
      loadTimers.put(outcome, metrics.timer(SessionMetrics.LOAD, store.kind(), outcome));
    }
    for (SaveOutcome outcome : SaveOutcome.values()) {
      saveTimers.put(
          outcome.tag(), metrics.timer(SessionMetrics.SAVE, store.kind(), outcome.tag()));
    }
    saveTimers.put("error", metrics.timer(SessionMetrics.SAVE, store.kind(), "error"));
    this.bytesWritten = metrics.distribution(SessionMetrics.BYTES_WRITTEN, store.kind());
  }

  BrownoutClock clock() {
    return clock;
  }

  SessionCodec codec() {
    return codec;
  }

  // --- reading

  /** Loads a session: one store read (none on a near-cache hit). */
  Optional<SessionData> load(String id) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      Optional<SessionData> data =
          store
              .read(sessions, id)
              .flatMap(SessionData::from)
              .filter(d -> !d.expired(clock.instant()));
      outcome = data.isPresent() ? "found" : "absent";
      return data;
    } finally {
      loadTimers.get(outcome).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Opens a stored session for code that runs outside a request (a WebSocket handler, a job): one
   * store read. Change it through the handle and {@link SessionHandle#save()}; the same delta rules
   * apply as in a request.
   */
  public Optional<SessionHandle> open(String id) {
    Objects.requireNonNull(id, "id");
    if (!SessionIds.wellFormed(id)) {
      return Optional.empty();
    }
    return load(id).map(data -> new SessionHandle(this, data));
  }

  /** A new session, stored on its first {@link SessionHandle#save()}. */
  public SessionHandle create(Duration maxInactive) {
    Objects.requireNonNull(maxInactive, "maxInactive");
    if (maxInactive.isNegative() || maxInactive.isZero()) {
      throw new IllegalArgumentException("maxInactive must be positive but was " + maxInactive);
    }
    return new SessionHandle(this, SessionData.create(clock.instant(), maxInactive, null));
  }

  /** A stored session's description, without its values. */
  public Optional<SessionInfo> find(String id) {
    Objects.requireNonNull(id, "id");
    if (!SessionIds.wellFormed(id)) {
      return Optional.empty();
    }
    return load(id).map(this::info);
  }

  private SessionInfo info(SessionData data) {
    return new SessionInfo(
        data.id,
        data.created,
        data.accessWritten,
        data.maxInactive,
        data.expiry(data.accessWritten),
        data.principal,
        Set.copyOf(data.names()));
  }

  /** Decodes one attribute, applying the codec-failure policy. */
  @Nullable Object attribute(SessionData data, String name) {
    synchronized (data) {
      if (data.removed.contains(name) || data.undecodable.contains(name)) {
        return null;
      }
      if (data.values.containsKey(name)) {
        return data.values.get(name);
      }
      byte[] bytes = data.stored.get(name);
      if (bytes == null) {
        return null;
      }
      try {
        Object value = codec.decode(name, bytes);
        data.values.put(name, value);
        return value;
      } catch (SessionCodecException e) {
        String action = codecFailure.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        metrics.counter(SessionMetrics.CODEC_FAILURES, codec.name(), action).increment();
        log.warn("Session attribute '{}' cannot be decoded ({}): {}", name, action, e.getMessage());
        switch (codecFailure) {
          case DROP_ATTRIBUTE -> data.undecodable.add(name);
          case INVALIDATE -> {
            // Start over: every attribute dropped, a new id; the old record is deleted on save.
            data.undecodable.addAll(data.stored.keySet());
            data.values.clear();
            data.changed.clear();
            if (!data.rotated()) {
              data.id = SessionIds.generate();
            }
          }
          case FAIL -> throw e;
        }
        return null;
      }
    }
  }

  // --- writing

  /** Whether the expiry is due a refresh. */
  boolean touchDue(SessionData data, Instant now) {
    Duration since = Duration.between(data.accessWritten, now);
    return since.toMillis() >= (long) (data.maxInactive.toMillis() * touchThreshold);
  }

  /** Saves what a request changed: at most one write, none if nothing changed. */
  SaveOutcome save(SessionData data) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      SaveOutcome result;
      synchronized (data) {
        result = saveLocked(data);
      }
      outcome = result.tag();
      return result;
    } finally {
      saveTimers.get(outcome).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private SaveOutcome saveLocked(SessionData data) {
    Instant now = clock.instant();
    if (data.invalidated) {
      if (data.storedId != null) {
        store.delete(sessions, data.storedId, Precondition.none());
        unindex(data.principal, data.storedId);
        data.storedId = null;
      }
      return SaveOutcome.DELETED;
    }
    Map<String, byte[]> encoded = encodeChanges(data);
    if (data.isNew() || data.rotated()) {
      return writeWhole(data, encoded, now);
    }
    boolean principalDue = principalDue(data, now);
    // The last access and the expiry are written when they are due, or when the expiry changes;
    // a change to attributes alone does not move them (refreshes are coalesced either way).
    boolean touch = data.metaChanged || touchDue(data, now);
    if (encoded.isEmpty()
        && data.removed.isEmpty()
        && data.undecodable.isEmpty()
        && !principalDue
        && !touch) {
      return SaveOutcome.UNCHANGED;
    }
    Set<String> removes = new LinkedHashSet<>(data.removed);
    removes.addAll(data.undecodable);
    removes.removeAll(encoded.keySet());
    Precondition precondition =
        concurrency == ConcurrencyMode.OPTIMISTIC
            ? Precondition.versionEquals(data.version)
            : Precondition.present();
    Instant indexExpiry = principalDue ? indexExpiry(data, now) : data.indexExpiry;
    for (int attempt = 0; ; attempt++) {
      Update update = delta(data, encoded, removes, touch, now, indexExpiry, precondition);
      try {
        WriteResult result = store.update(sessions, data.storedId, update);
        recordBytes(update);
        applied(data, encoded, removes, touch ? now : null, result.version());
        if (principalDue) {
          bind(data, null, indexExpiry);
        }
        return SaveOutcome.UPDATED;
      } catch (PreconditionFailedException e) {
        if (concurrency != ConcurrencyMode.OPTIMISTIC || attempt >= CAS_ATTEMPTS) {
          log.debug("Session save found it gone (invalidated or expired meanwhile)");
          return SaveOutcome.GONE;
        }
        Optional<StateRecord> current = store.read(sessions, data.storedId);
        if (current.isEmpty()) {
          return SaveOutcome.GONE;
        }
        Set<String> conflicts = new LinkedHashSet<>();
        for (String name : union(encoded.keySet(), removes)) {
          byte[] now_ = current.get().field(SessionData.field(name)).orElse(null);
          if (!Arrays.equals(now_, data.stored.get(name))) {
            conflicts.add(name);
          }
        }
        encoded.keySet().removeAll(conflicts);
        removes.removeAll(conflicts);
        if (!conflicts.isEmpty()) {
          metrics.counter(SessionMetrics.CONFLICTS, store.kind()).increment(conflicts.size());
          SessionConflict conflict = new SessionConflict(data.id, conflicts);
          for (SessionConflictListener listener : conflictListeners) {
            try {
              listener.onConflict(conflict);
            } catch (RuntimeException listenerFailure) {
              log.warn("A session conflict listener failed", listenerFailure);
            }
          }
        }
        // Take the other save's values as the new baseline, then try again on its version.
        SessionData.from(current.get())
            .ifPresent(
                fresh -> {
                  data.stored.clear();
                  data.stored.putAll(fresh.stored);
                  for (String name : conflicts) {
                    data.values.remove(name);
                  }
                });
        precondition = Precondition.versionEquals(current.get().version());
      }
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> union = new LinkedHashSet<>(a);
    union.addAll(b);
    return union;
  }

  private Update delta(
      SessionData data,
      Map<String, byte[]> encoded,
      Set<String> removes,
      boolean touch,
      Instant now,
      @Nullable Instant indexExpiry,
      Precondition precondition) {
    Update.Builder update = Update.builder().precondition(precondition);
    encoded.forEach((name, bytes) -> update.set(SessionData.field(name), bytes));
    removes.forEach(name -> update.remove(SessionData.field(name)));
    if (touch) {
      update.set(SessionData.ACCESSED, SessionData.text(now.toEpochMilli()));
      update.expireAt(data.expiry(now));
    }
    if (data.metaChanged) {
      meta(data, update);
    }
    if (indexExpiry != null && !indexExpiry.equals(data.indexExpiry)) {
      update.set(SessionData.INDEX_EXPIRY, SessionData.text(indexExpiry.toEpochMilli()));
    }
    return update.build();
  }

  private static void meta(SessionData data, Update.Builder update) {
    update.set(SessionData.MAX_INACTIVE, SessionData.text(data.maxInactive.toSeconds()));
    if (data.deadline != null) {
      update.set(SessionData.DEADLINE, SessionData.text(data.deadline.toEpochMilli()));
    }
    if (data.principal != null) {
      update.set(SessionData.PRINCIPAL, data.principal);
    }
  }

  private SaveOutcome writeWhole(SessionData data, Map<String, byte[]> encoded, Instant now) {
    String previous = data.storedId;
    if (previous != null) {
      // Rotation: the old id dies first, so it can never outlive the new one. If it is gone
      // already, the session was invalidated meanwhile and is not brought back.
      if (!store.delete(sessions, previous, Precondition.none())) {
        return SaveOutcome.GONE;
      }
    }
    boolean principalDue = data.principal != null;
    Instant indexExpiry = principalDue ? indexExpiry(data, now) : null;
    Update.Builder update = Update.builder().precondition(Precondition.absent());
    Map<String, byte[]> all = new LinkedHashMap<>();
    for (String name : data.names()) {
      byte[] bytes = encoded.containsKey(name) ? encoded.get(name) : data.stored.get(name);
      if (bytes != null) {
        all.put(name, bytes);
      }
    }
    all.forEach((name, bytes) -> update.set(SessionData.field(name), bytes));
    update.set(SessionData.CREATED, SessionData.text(data.created.toEpochMilli()));
    update.set(SessionData.ACCESSED, SessionData.text(now.toEpochMilli()));
    meta(data, update);
    if (indexExpiry != null) {
      update.set(SessionData.INDEX_EXPIRY, SessionData.text(indexExpiry.toEpochMilli()));
    }
    update.expireAt(data.expiry(now));
    Update built = update.build();
    WriteResult result = store.update(sessions, data.id, built);
    recordBytes(built);
    data.storedId = data.id;
    data.stored.clear();
    data.stored.putAll(all);
    applied(data, Map.of(), Set.of(), now, result.version());
    data.undecodable.clear();
    if (principalDue) {
      bind(data, previous, indexExpiry);
    } else if (previous != null) {
      unindex(data.principal, previous);
    }
    if (previous != null) {
      metrics.counter(SessionMetrics.EVENTS, "rotated").increment();
      return SaveOutcome.ROTATED;
    }
    return SaveOutcome.CREATED;
  }

  private void applied(
      SessionData data,
      Map<String, byte[]> encoded,
      Set<String> removes,
      @Nullable Instant accessed,
      long version) {
    data.version = version;
    data.stored.putAll(encoded);
    for (String name : removes) {
      data.stored.remove(name);
      data.values.remove(name);
    }
    data.undecodable.removeAll(removes);
    data.changed.clear();
    data.removed.clear();
    data.metaChanged = false;
    if (accessed != null) {
      data.accessWritten = accessed;
    }
  }

  private void recordBytes(Update update) {
    bytesWritten.record(update.size());
  }

  private Map<String, byte[]> encodeChanges(SessionData data) {
    Map<String, byte[]> encoded = new LinkedHashMap<>();
    for (String name : data.changed) {
      Object value = data.values.get(name);
      if (value == null) {
        continue;
      }
      try {
        encoded.put(name, codec.encode(name, value));
      } catch (SessionCodecException e) {
        metrics.counter(SessionMetrics.CODEC_FAILURES, codec.name(), "skip-save").increment();
        log.warn("Session attribute '{}' not saved: {}", name, e.getMessage());
      }
    }
    if (detectInPlace) {
      for (Map.Entry<String, Object> read : data.values.entrySet()) {
        String name = read.getKey();
        byte[] before = data.stored.get(name);
        if (data.changed.contains(name) || before == null) {
          continue;
        }
        try {
          byte[] now = codec.encode(name, read.getValue());
          if (!Arrays.equals(now, before)) {
            encoded.put(name, now);
          }
        } catch (SessionCodecException e) {
          metrics.counter(SessionMetrics.CODEC_FAILURES, codec.name(), "skip-save").increment();
          log.warn("Session attribute '{}' not checked for changes: {}", name, e.getMessage());
        }
      }
    }
    return encoded;
  }

  /** Deletes a session, whatever its state; false if there was none. */
  public boolean invalidate(String id) {
    Objects.requireNonNull(id, "id");
    if (!SessionIds.wellFormed(id)) {
      return false;
    }
    Optional<SessionData> data = load(id);
    boolean deleted = store.delete(sessions, id, Precondition.none());
    data.ifPresent(d -> unindex(d.principal, id));
    if (deleted) {
      metrics.counter(SessionMetrics.EVENTS, "invalidated").increment();
    }
    return deleted;
  }

  // --- the principal index

  private boolean principalDue(SessionData data, Instant now) {
    if (data.principal == null) {
      return false;
    }
    return data.indexExpiry == null
        || Duration.between(now, data.indexExpiry).compareTo(data.maxInactive) < 0;
  }

  private static Instant indexExpiry(SessionData data, Instant now) {
    Instant expiry = now.plus(data.maxInactive.multipliedBy(2));
    return data.deadline != null && data.deadline.isBefore(expiry) ? data.deadline : expiry;
  }

  /**
   * Adds the session to its principal's index, atomically (compare-and-set on the index record),
   * evicting the oldest sessions over the cap.
   */
  private void bind(SessionData data, @Nullable String previousId, Instant expiry) {
    String principal = Objects.requireNonNull(data.principal);
    List<String> evicted = List.of();
    for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      Optional<StateRecord> index = store.read(PRINCIPALS, principal);
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
        store.update(PRINCIPALS, principal, update.build());
        data.indexExpiry = expiry;
        break;
      } catch (PreconditionFailedException e) {
        evicted = List.of();
        // another server changed the index meanwhile: read it again
      }
    }
    for (String id : evicted) {
      if (store.delete(sessions, id, Precondition.none())) {
        metrics.counter(SessionMetrics.EVENTS, "evicted").increment();
        log.info("Session evicted: its principal is over the cap of {}", maxPerPrincipal);
      }
    }
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

  private Set<String> dead(Set<String> ids) {
    Set<String> dead = new LinkedHashSet<>();
    for (String id : ids) {
      if (store.read(sessions, id, Set.of(SessionData.CREATED)).isEmpty()) {
        dead.add(id);
      }
    }
    return dead;
  }

  private void unindex(@Nullable String principal, String id) {
    if (principal == null) {
      return;
    }
    try {
      store.update(
          PRINCIPALS,
          principal,
          Update.builder().remove(id).precondition(Precondition.present()).build());
    } catch (PreconditionFailedException e) {
      // no index: nothing to remove
    }
  }

  /** The live sessions of a principal, oldest first; dead index entries are pruned. */
  public List<SessionInfo> sessionsOf(String principal) {
    Objects.requireNonNull(principal, "principal");
    Map<String, Long> entries = entries(store.read(PRINCIPALS, principal));
    List<Map.Entry<String, Long>> ordered = new ArrayList<>(entries.entrySet());
    ordered.sort(Map.Entry.comparingByValue(Comparator.naturalOrder()));
    List<SessionInfo> live = new ArrayList<>();
    for (Map.Entry<String, Long> entry : ordered) {
      Optional<SessionData> data = load(entry.getKey());
      if (data.isPresent() && principal.equals(data.get().principal)) {
        live.add(info(data.get()));
      } else {
        unindex(principal, entry.getKey());
      }
    }
    return live;
  }

  /** Signs a principal out everywhere: deletes every session of theirs; returns how many. */
  public int invalidateAll(String principal) {
    int count = 0;
    for (SessionInfo session : sessionsOf(principal)) {
      if (store.delete(sessions, session.id(), Precondition.none())) {
        count++;
        metrics.counter(SessionMetrics.EVENTS, "invalidated").increment();
      }
    }
    store.delete(PRINCIPALS, principal, Precondition.none());
    return count;
  }
}
