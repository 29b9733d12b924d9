package dev.brownout.session;

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
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves a stored session's changes under the id it is stored under, as one atomic delta: the
 * attributes set and removed, and the last access and expiry when due. The {@link ConcurrencyMode}
 * decides the precondition: last-writer-wins only needs the record to still exist (so a save never
 * brings back an invalidated session); optimistic needs the version loaded and, when another save
 * got in first, retries on top of it ({@link SaveConflicts}).
 */
final class DeltaSave {
  // Under the repository's name, as before the split, so existing log settings still apply.
  private static final Logger log = LoggerFactory.getLogger(SessionRepository.class);
  private static final int CAS_ATTEMPTS = 10;

  private final StateStore store;
  private final Namespace sessions;
  private final ConcurrencyMode concurrency;
  private final double touchThreshold;
  private final PrincipalIndex index;
  private final SaveConflicts conflicts;
  private final DistributionSummary bytesWritten;

  DeltaSave(
      StateStore store,
      Namespace sessions,
      ConcurrencyMode concurrency,
      double touchThreshold,
      PrincipalIndex index,
      SaveConflicts conflicts,
      DistributionSummary bytesWritten) {
    this.store = store;
    this.sessions = sessions;
    this.concurrency = concurrency;
    this.touchThreshold = touchThreshold;
    this.index = index;
    this.conflicts = conflicts;
    this.bytesWritten = bytesWritten;
  }

  /**
   * Writes {@code encoded} (the changed attributes' bytes) and the request's removals; nothing if
   * there is nothing to write. The caller holds {@code data}'s lock.
   */
  SaveOutcome save(SessionData data, Map<String, byte[]> encoded, Instant now) {
    boolean principalDue = index.due(data, now);
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
    Instant indexExpiry = principalDue ? PrincipalIndex.expiry(data, now) : data.indexExpiry;
    for (int attempt = 0; ; attempt++) {
      Update update = delta(data, encoded, removes, touch, now, indexExpiry, precondition);
      try {
        WriteResult result = store.update(sessions, data.storedId, update);
        bytesWritten.record(update.size());
        data.written(encoded, removes, touch ? now : null, result.version());
        if (principalDue) {
          index.bind(data, null, indexExpiry);
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
        conflicts.rebase(data, current.get(), encoded, removes);
        precondition = Precondition.versionEquals(current.get().version());
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
      Precondition precondition) {
    Update.Builder update = Update.builder().precondition(precondition);
    encoded.forEach((name, bytes) -> update.set(SessionData.field(name), bytes));
    removes.forEach(name -> update.remove(SessionData.field(name)));
    if (touch) {
      update.set(SessionData.ACCESSED, SessionData.text(now.toEpochMilli()));
      update.expireAt(data.expiry(now));
    }
    if (data.metaChanged) {
      data.writeMeta(update);
    }
    if (indexExpiry != null && !indexExpiry.equals(data.indexExpiry)) {
      update.set(SessionData.INDEX_EXPIRY, SessionData.text(indexExpiry.toEpochMilli()));
    }
    return update.build();
  }
}
