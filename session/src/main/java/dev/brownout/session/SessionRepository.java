package dev.brownout.session;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.StateStore;
import io.micrometer.core.instrument.DistributionSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

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

  // Reads, saves and the principal index are package-private collaborators (SessionLoader,
  // SessionSaver, PrincipalIndex), so each can change without the others; this is their façade.
  private final StateStore store;
  private final Namespace sessions;
  private final SessionCodec codec;
  private final BrownoutClock clock;
  private final BrownoutMetrics metrics;
  private final SessionLoader loader;
  private final PrincipalIndex index;
  private final SessionSaver saver;
  private final SaveConflicts conflicts;

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
    this.loader = new SessionLoader(store, sessions, codec, clock, metrics, codecFailure);
    this.index = new PrincipalIndex(store, sessions, metrics, maxPerPrincipal, loader, clock);
    DistributionSummary bytesWritten =
        metrics.distribution(SessionMetrics.BYTES_WRITTEN, store.kind());
    this.conflicts = new SaveConflicts(metrics, store.kind(), conflictListeners);
    WholeRecordSave whole = new WholeRecordSave(store, sessions, metrics, index, bytesWritten);
    this.saver =
        new SessionSaver(
            store,
            sessions,
            codec,
            clock,
            metrics,
            detectInPlace,
            index,
            conflicts,
            whole,
            new DeltaSave(
                store,
                sessions,
                concurrency,
                touchThreshold,
                index,
                conflicts,
                metrics,
                bytesWritten));
  }

  BrownoutClock clock() {
    return clock;
  }

  SessionCodec codec() {
    return codec;
  }

  /** Loads a session: one store read (none on a near-cache hit). */
  Optional<SessionData> load(String id) {
    return loader.load(id);
  }

  /** Loads the session a request's id names, telling a just-replaced id apart. */
  SessionLoader.Loaded loadForRequest(String id) {
    return loader.loadForRequest(id);
  }

  /** Reports a request refused for carrying an id replaced a moment ago. */
  SessionConflict replacedIdRefused(String id) {
    return conflicts.replacedId(SessionIds.key(id));
  }

  /** Decodes one attribute, applying the codec-failure policy. */
  @Nullable Object attribute(SessionData data, String name) {
    return loader.attribute(data, name);
  }

  /** Saves what a request changed: at most one write, none if nothing changed. */
  SaveOutcome save(SessionData data) {
    return saver.save(data);
  }

  /**
   * Opens a stored session for code that runs outside a request (a WebSocket handler, a job): one
   * store read. {@code id} is the whole id ({@code HttpSession.getId()}); a key alone does not open
   * a session. Change it through the handle and {@link SessionHandle#save()}; the same delta rules
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

  /**
   * A stored session's description, without its values, by its {@linkplain SessionIds#key key}
   * (what {@link SessionInfo#id()} gives) or its whole id.
   */
  public Optional<SessionInfo> find(String id) {
    Objects.requireNonNull(id, "id");
    if (!SessionIds.wellFormed(id)) {
      return Optional.empty();
    }
    return loader.loadByKey(SessionIds.key(id)).map(SessionRepository::info);
  }

  /**
   * Deletes a session, whatever its state, by its key or whole id; false if there was none. For
   * operators and "sign out that device" pages, which list sessions by key.
   */
  public boolean invalidate(String id) {
    Objects.requireNonNull(id, "id");
    if (!SessionIds.wellFormed(id)) {
      return false;
    }
    String key = SessionIds.key(id);
    // Loaded first only to learn its principal, whose index entry goes with it.
    Optional<SessionData> data = loader.loadByKey(key);
    boolean deleted = store.delete(sessions, key, Precondition.none());
    data.ifPresent(d -> index.remove(d.principal, key));
    if (deleted) {
      metrics.counter(SessionMetrics.EVENTS, "invalidated").increment();
    }
    return deleted;
  }

  /** The live sessions of a principal, oldest first; dead index entries are pruned. */
  public List<SessionInfo> sessionsOf(String principal) {
    Objects.requireNonNull(principal, "principal");
    List<SessionInfo> live = new ArrayList<>();
    for (SessionData data : index.liveSessions(principal)) {
      live.add(info(data));
    }
    return live;
  }

  /** Signs a principal out everywhere: deletes every session of theirs; returns how many. */
  public int invalidateAll(String principal) {
    Objects.requireNonNull(principal, "principal");
    return index.invalidateAll(principal);
  }

  private static SessionInfo info(SessionData data) {
    return new SessionInfo(
        data.key,
        data.created,
        data.accessWritten,
        data.maxInactive,
        data.expiry(data.accessWritten),
        data.principal,
        Set.copyOf(data.names()));
  }
}
