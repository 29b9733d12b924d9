package dev.brownout.session;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import io.micrometer.core.instrument.DistributionSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Saves a stored session's changes as one atomic delta on its record: the attributes set and
 * removed, the last access and expiry when due, and a new secret when the id was changed (so a
 * rotation keeps whatever other requests saved meanwhile, and the old id stops working on every
 * server at once). Every save is conditional on the version loaded; when another save got in first,
 * the {@link ConcurrencyMode} decides: last-writer-wins starts again on top of it, writing this
 * request's changes over the other's; optimistic refuses the save if both changed the same
 * attributes. Either way a save is refused, never silently dropped, when the session was
 * invalidated meanwhile (nothing is brought back), when its id was changed meanwhile (the old id
 * may be a fixation attacker's), or when other saves keep winning ({@link SaveConflicts}). Two
 * sign-ins racing on one id: the later one finds the secret changed and starts its own session from
 * what it loaded ({@link WholeRecordSave#restart}), so both users are signed in and neither gets
 * the other's session.
 */
final class DeltaSave {
  private static final int CAS_ATTEMPTS = 10;

  private final StateStore store;
  private final Namespace sessions;
  private final ConcurrencyMode concurrency;
  private final double touchThreshold;
  private final PrincipalIndex index;
  private final SaveConflicts conflicts;
  private final BrownoutMetrics metrics;
  private final DistributionSummary bytesWritten;

  DeltaSave(
      StateStore store,
      Namespace sessions,
      ConcurrencyMode concurrency,
      double touchThreshold,
      PrincipalIndex index,
      SaveConflicts conflicts,
      BrownoutMetrics metrics,
      DistributionSummary bytesWritten) {
    this.store = store;
    this.sessions = sessions;
    this.concurrency = concurrency;
    this.touchThreshold = touchThreshold;
    this.index = index;
    this.conflicts = conflicts;
    this.metrics = metrics;
    this.bytesWritten = bytesWritten;
  }

  /**
   * Writes {@code encoded} (the changed attributes' bytes) and the request's removals; nothing if
   * there is nothing to write. The caller holds {@code data}'s lock.
   */
  SaveOutcome save(SessionData data, Map<String, byte[]> encoded, Instant now) {
    boolean principalDue = index.due(data, now);
    boolean rotating = data.rotated();
    // The last access and the expiry are written when they are due, or when the expiry changes;
    // a change to attributes alone does not move them (refreshes are coalesced either way).
    boolean touch = data.metaChanged || rotating || touchDue(data, now);
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
    // Held changes (serve-cached) were acknowledged when they were held: they are written over
    // what happened meanwhile, whatever the mode.
    boolean refuseOverlaps = concurrency == ConcurrencyMode.OPTIMISTIC && data.heldSequence < 0;
    Instant indexExpiry = principalDue ? PrincipalIndex.expiry(data, now) : data.indexExpiry;
    Set<String> overwritten = new LinkedHashSet<>();
    long expected = data.version;
    for (int attempt = 0; ; attempt++) {
      Update update = delta(data, encoded, removes, touch, now, indexExpiry, expected);
      try {
        WriteResult result = store.update(sessions, data.key, update);
        bytesWritten.record(update.size());
        data.written(encoded, removes, touch ? now : null, result.version());
        if (principalDue) {
          index.bind(data, indexExpiry);
        }
        if (!overwritten.isEmpty()) {
          conflicts.overwritten(data, overwritten);
        }
        if (rotating) {
          metrics.counter(SessionMetrics.EVENTS, "rotated").increment();
          return SaveOutcome.ROTATED;
        }
        return SaveOutcome.UPDATED;
      } catch (PreconditionFailedException e) {
        Set<String> changes = SaveConflicts.union(encoded.keySet(), removes);
        if (attempt >= CAS_ATTEMPTS) {
          return conflicts.refuse(data, SessionConflict.Kind.RETRIES_EXHAUSTED, changes);
        }
        Optional<StateRecord> current = store.read(sessions, data.key);
        Optional<SessionData> fresh = current.flatMap(SessionData::from);
        if (fresh.isEmpty() || fresh.get().expired(now)) {
          // Invalidated or expired meanwhile: writing would bring it back. Only a refresh of the
          // expiry is lost quietly; a change is refused.
          return changes.isEmpty() && !data.metaChanged && !rotating
              ? SaveOutcome.GONE
              : conflicts.refuse(data, SessionConflict.Kind.GONE, changes);
        }
        if (!Arrays.equals(fresh.get().storedSecretHash, data.storedSecretHash)
            && !(data.heldSequence >= 0 && data.issued(fresh.get().storedSecretHash))) {
          // Another request changed the id first (a sign-in, perhaps this one's twin; not a held
          // change of this server's own whose write landed though its answer was lost): the id
          // this request carries may be a fixation attacker's, so nothing of it is written, and
          // the client keeps the cookie the other request sent.
          return conflicts.refuse(data, SessionConflict.Kind.ROTATED, changes);
        }
        Set<String> overlapping = SaveConflicts.overlapping(data, current.get(), encoded, removes);
        if (refuseOverlaps && !overlapping.isEmpty()) {
          return conflicts.refuse(data, SessionConflict.Kind.ATTRIBUTES, overlapping);
        }
        overwritten.addAll(data.heldSequence >= 0 ? overlapping : Set.of());
        SaveConflicts.rebase(data, current.get());
        expected = current.get().version();
      }
    }
  }

  /** Whether the expiry is due a refresh. */
  private boolean touchDue(SessionData data, Instant now) {
    Duration since = Duration.between(data.accessWritten, now);
    return since.toMillis() >= (long) (data.maxInactive.toMillis() * touchThreshold);
  }

  private static Update delta(
      SessionData data,
      Map<String, byte[]> encoded,
      Set<String> removes,
      boolean touch,
      Instant now,
      @Nullable Instant indexExpiry,
      long expected) {
    Update.Builder update = Update.builder().precondition(Precondition.versionEquals(expected));
    encoded.forEach((name, bytes) -> update.set(SessionData.field(name), bytes));
    removes.forEach(name -> update.remove(SessionData.field(name)));
    if (touch) {
      update.set(SessionData.ACCESSED, SessionData.text(now.toEpochMilli()));
      update.expireAt(data.expiry(now));
    }
    if (data.metaChanged) {
      data.writeMeta(update);
    }
    data.writeSecret(update, now);
    if (indexExpiry != null && !indexExpiry.equals(data.indexExpiry)) {
      update.set(SessionData.INDEX_EXPIRY, SessionData.text(indexExpiry.toEpochMilli()));
    }
    return update.build();
  }
}
