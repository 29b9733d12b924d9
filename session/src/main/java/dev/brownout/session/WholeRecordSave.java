package dev.brownout.session;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.StateStore;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import io.micrometer.core.instrument.DistributionSummary;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Saves a session as a whole record, created only if absent: the first save of a new session, and a
 * sign-in that lost the race for its id to another sign-in ({@link #restart}).
 */
final class WholeRecordSave {
  private final StateStore store;
  private final Namespace sessions;
  private final BrownoutMetrics metrics;
  private final PrincipalIndex index;
  private final DistributionSummary bytesWritten;

  WholeRecordSave(
      StateStore store,
      Namespace sessions,
      BrownoutMetrics metrics,
      PrincipalIndex index,
      DistributionSummary bytesWritten) {
    this.store = store;
    this.sessions = sessions;
    this.metrics = metrics;
    this.index = index;
    this.bytesWritten = bytesWritten;
  }

  /** A new session's first save. The caller holds {@code data}'s lock. */
  SaveOutcome create(SessionData data, Map<String, byte[]> encoded, Instant now) {
    Instant indexExpiry = data.principal != null ? PrincipalIndex.expiry(data, now) : null;
    write(data, encoded, now, indexExpiry);
    if (indexExpiry != null) {
      index.bind(data, indexExpiry);
    }
    return SaveOutcome.CREATED;
  }

  /** Writes every attribute, changed or not, with all the session's fields and a fresh expiry. */
  private void write(
      SessionData data, Map<String, byte[]> encoded, Instant now, @Nullable Instant indexExpiry) {
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
    data.writeMeta(update);
    data.writeSecret(update, now);
    if (indexExpiry != null) {
      update.set(SessionData.INDEX_EXPIRY, SessionData.text(indexExpiry.toEpochMilli()));
    }
    update.expireAt(data.expiry(now));
    Update built = update.build();
    WriteResult result = store.update(sessions, data.key, built);
    bytesWritten.record(built.size());
    data.stored.clear();
    data.stored.putAll(all);
    data.written(Map.of(), Set.of(), now, result.version());
    data.undecodable.clear();
  }
}
