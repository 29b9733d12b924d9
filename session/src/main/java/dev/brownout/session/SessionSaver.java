package dev.brownout.session;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.RecordTooLargeException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.spi.StoreChecks;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves what a request changed for {@link SessionRepository}, as at most one write: an invalidated
 * session is deleted, a new one is written whole ({@link WholeRecordSave}), a stored one, rotated
 * or not, as a delta ({@link DeltaSave}). The changed attributes are encoded here, once, for
 * whichever of those writes them.
 */
final class SessionSaver {
  // Under the repository's name, as before the split, so existing log settings still apply.
  private static final Logger log = LoggerFactory.getLogger(SessionRepository.class);

  // The session's own fields (_s, _c, _a, _i, _d, _p, _x) with their values, at most.
  private static final long METADATA_BYTES = 32 + 7 * 24 + StateStore.MAX_KEY_BYTES;

  private final StateStore store;
  private final Namespace sessions;
  private final SessionCodec codec;
  private final BrownoutClock clock;
  private final BrownoutMetrics metrics;
  private final boolean detectInPlace;
  private final PrincipalIndex index;
  private final SaveConflicts conflicts;
  private final WholeRecordSave whole;
  private final DeltaSave delta;
  // Meters are looked up once: a registry lookup per request costs more than the work it times.
  private final Map<String, Timer> timers = new HashMap<>();

  SessionSaver(
      StateStore store,
      Namespace sessions,
      SessionCodec codec,
      BrownoutClock clock,
      BrownoutMetrics metrics,
      boolean detectInPlace,
      PrincipalIndex index,
      SaveConflicts conflicts,
      WholeRecordSave whole,
      DeltaSave delta) {
    this.store = store;
    this.sessions = sessions;
    this.codec = codec;
    this.clock = clock;
    this.metrics = metrics;
    this.detectInPlace = detectInPlace;
    this.index = index;
    this.conflicts = conflicts;
    this.whole = whole;
    this.delta = delta;
    for (SaveOutcome outcome : SaveOutcome.values()) {
      timers.put(outcome.tag(), metrics.timer(SessionMetrics.SAVE, store.kind(), outcome.tag()));
    }
    timers.put("error", metrics.timer(SessionMetrics.SAVE, store.kind(), "error"));
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
      timers.get(outcome).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private SaveOutcome saveLocked(SessionData data) {
    if (data.conflict != null) {
      // Refused once: the request is answered as refused, so nothing of it may land later.
      return SaveOutcome.CONFLICT;
    }
    Instant now = clock.instant();
    if (data.invalidated) {
      return delete(data, now);
    }
    Map<String, byte[]> encoded = encodeChanges(data);
    checkSize(data, encoded);
    if (data.isNew()) {
      try {
        return whole.create(data, encoded, now);
      } catch (PreconditionFailedException e) {
        // The key is random, so a record under it is this session's own first save, made by an
        // earlier attempt whose answer was lost (a timeout, a partition): its changes go on top.
        if (!adoptOwnRecord(data)) {
          return conflicts.refuse(data, SessionConflict.Kind.GONE, data.changed);
        }
      }
    }
    return delta.save(data, encoded, now);
  }

  /**
   * Takes the record under a new session's key as its own, if it holds this session's secret: the
   * session is then stored, at that record's version, with the request's changes still to write.
   */
  private boolean adoptOwnRecord(SessionData data) {
    Optional<StateRecord> record = store.read(sessions, data.key);
    Optional<SessionData> stored = record.flatMap(SessionData::from);
    if (stored.isEmpty() || !SessionIds.matches(data.secret, stored.get().storedSecretHash)) {
      return false;
    }
    data.inStore = true;
    data.version = stored.get().version;
    data.storedSecretHash = stored.get().storedSecretHash;
    data.secretChanged = false;
    data.accessWritten = stored.get().accessWritten;
    data.indexExpiry = stored.get().indexExpiry;
    data.stored.clear();
    data.stored.putAll(stored.get().stored);
    return true;
  }

  /**
   * Refuses, before any store call, a save that would make the record larger than the store keeps:
   * the same answer whether the store is up or down, so such a change is never held for later.
   */
  private void checkSize(SessionData data, Map<String, byte[]> encoded) {
    if (encoded.isEmpty()) {
      return;
    }
    long size = METADATA_BYTES;
    for (String name : data.names()) {
      byte[] bytes = encoded.containsKey(name) ? encoded.get(name) : data.stored.get(name);
      if (bytes != null) {
        size += SessionData.field(name).getBytes(StandardCharsets.UTF_8).length + bytes.length;
      }
    }
    if (size > store.maxRecordBytes()) {
      throw new RecordTooLargeException(
          StoreChecks.tooLargeMessage(sessions, data.key, size, store.maxRecordBytes()),
          size,
          store.maxRecordBytes());
    }
  }

  /**
   * Deletes an invalidated session, if it is still the one the request loaded: not if its id was
   * changed meanwhile (the old id may be a fixation attacker's, signing the new user out).
   */
  private SaveOutcome delete(SessionData data, Instant now) {
    if (!data.inStore) {
      return SaveOutcome.DELETED;
    }
    long expected = data.version;
    for (int attempt = 0; ; attempt++) {
      try {
        store.delete(sessions, data.key, Precondition.versionEquals(expected));
        break;
      } catch (PreconditionFailedException e) {
        Optional<SessionData> current = store.read(sessions, data.key).flatMap(SessionData::from);
        if (current.isEmpty()) {
          break;
        }
        if (!Arrays.equals(current.get().storedSecretHash, data.storedSecretHash)
            || attempt >= 10) {
          return conflicts.refuse(data, SessionConflict.Kind.ROTATED, Set.of());
        }
        expected = current.get().version;
      }
    }
    index.remove(data.principal, data.key);
    data.inStore = false;
    return SaveOutcome.DELETED;
  }

  /**
   * The bytes of every attribute to write: those set in this request and, when detecting in-place
   * changes, those read whose value now encodes differently. One that cannot be encoded is left as
   * stored rather than failing the whole save.
   */
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
}
