package dev.brownout.session;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.Namespace;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads sessions for {@link SessionRepository}: one store read per load, and attribute values
 * decoded only when first asked for, under the codec-failure policy.
 */
final class SessionLoader {
  // Under the repository's name, as before the split, so existing log settings still apply.
  private static final Logger log = LoggerFactory.getLogger(SessionRepository.class);

  private final StateStore store;
  private final Namespace sessions;
  private final SessionCodec codec;
  private final BrownoutClock clock;
  private final BrownoutMetrics metrics;
  private final CodecFailurePolicy codecFailure;
  // Meters are looked up once: a registry lookup per request costs more than the work it times.
  private final Map<String, Timer> timers = new HashMap<>();

  SessionLoader(
      StateStore store,
      Namespace sessions,
      SessionCodec codec,
      BrownoutClock clock,
      BrownoutMetrics metrics,
      CodecFailurePolicy codecFailure) {
    this.store = store;
    this.sessions = sessions;
    this.codec = codec;
    this.clock = clock;
    this.metrics = metrics;
    this.codecFailure = codecFailure;
    for (String outcome : List.of("found", "absent", "error")) {
      timers.put(outcome, metrics.timer(SessionMetrics.LOAD, store.kind(), outcome));
    }
  }

  /**
   * Loads the session a client's id names: one store read (none on a near-cache hit). A record that
   * is not a session, has expired by its own clock though the store still holds it, or whose secret
   * is not the id's, is absent.
   */
  Optional<SessionData> load(String id) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      Optional<SessionData> data =
          store
              .read(sessions, SessionIds.key(id))
              .flatMap(record -> SessionData.from(record, id))
              .filter(d -> !d.expired(clock.instant()));
      outcome = data.isPresent() ? "found" : "absent";
      return data;
    } finally {
      timers.get(outcome).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * What a request's id names: the session, or nothing; and if nothing, whether the id was the
   * session's until a change of id a moment ago ({@link SessionData#ROTATION_GRACE}).
   */
  record Loaded(@Nullable SessionData data, boolean replaced) {}

  /** {@link #load}, telling an id replaced a moment ago from one that names nothing. */
  Loaded loadForRequest(String id) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      Optional<StateRecord> record = store.read(sessions, SessionIds.key(id));
      Instant now = clock.instant();
      Optional<SessionData> data =
          record.flatMap(r -> SessionData.from(r, id)).filter(d -> !d.expired(now));
      outcome = data.isPresent() ? "found" : "absent";
      boolean replaced =
          data.isEmpty()
              && record.isPresent()
              && SessionData.replacedRecently(record.get(), id, now);
      return new Loaded(data.orElse(null), replaced);
    } finally {
      timers.get(outcome).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /** Loads a session by its key alone, whatever its secret: for management, never for a client. */
  Optional<SessionData> loadByKey(String key) {
    return store
        .read(sessions, key)
        .flatMap(SessionData::from)
        .filter(d -> !d.expired(clock.instant()));
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
        String action = codecFailure.name().toLowerCase(Locale.ROOT).replace('_', '-');
        metrics.counter(SessionMetrics.CODEC_FAILURES, codec.name(), action).increment();
        log.warn("Session attribute '{}' cannot be decoded ({}): {}", name, action, e.getMessage());
        switch (codecFailure) {
          case DROP_ATTRIBUTE -> data.undecodable.add(name);
          case INVALIDATE -> {
            // Start over: every attribute dropped, and a new id (a new secret, in the same save).
            data.undecodable.addAll(data.stored.keySet());
            data.values.clear();
            data.changed.clear();
            if (!data.secretChanged) {
              data.rotate();
            }
          }
          case FAIL -> throw e;
        }
        return null;
      }
    }
  }
}
