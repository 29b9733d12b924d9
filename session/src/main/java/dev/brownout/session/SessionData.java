package dev.brownout.session;

import dev.brownout.state.StateRecord;
import dev.brownout.state.Update;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One request's copy of a session: what was loaded, as bytes, and what the request changed. Values
 * are decoded when first read; only changed attributes are encoded and written. Every method is
 * synchronized, for applications that touch the session from more than one thread of a request.
 *
 * <p>Record layout, one record per session keyed by its id: {@code _c} created, {@code _a} last
 * access written, {@code _i} max inactive seconds, {@code _d} absolute deadline, {@code _p}
 * principal, {@code _x} when the principal's index expires (all UTF-8 decimal text, times in epoch
 * milliseconds), and {@code a:<name>} per attribute, as the codec wrote it.
 */
final class SessionData {
  static final String CREATED = "_c";
  static final String ACCESSED = "_a";
  static final String MAX_INACTIVE = "_i";
  static final String DEADLINE = "_d";
  static final String PRINCIPAL = "_p";
  static final String INDEX_EXPIRY = "_x";
  static final String ATTRIBUTE = "a:";
  static final int MAX_NAME_BYTES = Update.MAX_FIELD_NAME_BYTES - ATTRIBUTE.length();

  /** The id the store has it under; null while it has never been saved. */
  @Nullable String storedId;

  /** The id the client is told. Differs from {@link #storedId} after {@code changeSessionId}. */
  String id;

  long version;
  final Instant created;
  Instant accessWritten;
  Duration maxInactive;
  @Nullable Instant deadline;
  @Nullable String principal;
  @Nullable Instant indexExpiry;
  boolean metaChanged;
  boolean invalidated;

  /** Attribute bytes as stored. */
  final Map<String, byte[]> stored = new LinkedHashMap<>();

  /** Values decoded or set in this request. */
  final Map<String, Object> values = new HashMap<>();

  /** Attributes set in this request. */
  final Set<String> changed = new LinkedHashSet<>();

  /** Attributes removed in this request. */
  final Set<String> removed = new LinkedHashSet<>();

  /** Attributes that failed to decode and will be removed. */
  final Set<String> undecodable = new HashSet<>();

  private SessionData(String id, Instant created, Duration maxInactive) {
    this.id = id;
    this.created = created;
    this.accessWritten = created;
    this.maxInactive = maxInactive;
  }

  /** A new session, not yet stored. */
  static SessionData create(Instant now, Duration maxInactive, @Nullable Instant deadline) {
    SessionData data = new SessionData(SessionIds.generate(), now, maxInactive);
    data.deadline = deadline;
    data.metaChanged = true;
    return data;
  }

  /** A loaded session, or empty if the record is not one (it is then treated as absent). */
  static Optional<SessionData> from(StateRecord record) {
    Optional<Long> created = millis(record, CREATED);
    Optional<Long> accessed = millis(record, ACCESSED);
    Optional<Long> maxInactive = millis(record, MAX_INACTIVE);
    if (created.isEmpty() || accessed.isEmpty() || maxInactive.isEmpty()) {
      return Optional.empty();
    }
    SessionData data =
        new SessionData(
            record.key(),
            Instant.ofEpochMilli(created.get()),
            Duration.ofSeconds(maxInactive.get()));
    data.storedId = record.key();
    data.version = record.version();
    data.accessWritten = Instant.ofEpochMilli(accessed.get());
    data.deadline = millis(record, DEADLINE).map(Instant::ofEpochMilli).orElse(null);
    data.principal = record.text(PRINCIPAL).orElse(null);
    data.indexExpiry = millis(record, INDEX_EXPIRY).map(Instant::ofEpochMilli).orElse(null);
    // The stored bytes are only compared and decoded, never changed: no copy of them is needed.
    record
        .sharedFields()
        .forEach(
            (name, value) -> {
              if (name.startsWith(ATTRIBUTE)) {
                data.stored.put(name.substring(ATTRIBUTE.length()), value);
              }
            });
    return Optional.of(data);
  }

  private static Optional<Long> millis(StateRecord record, String field) {
    try {
      return record.text(field).map(Long::parseLong);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** A copy for another request (the serve-cached policy shares pending sessions this way). */
  synchronized SessionData copy() {
    SessionData copy = new SessionData(id, created, maxInactive);
    copy.storedId = storedId;
    copy.version = version;
    copy.accessWritten = accessWritten;
    copy.deadline = deadline;
    copy.principal = principal;
    copy.indexExpiry = indexExpiry;
    copy.metaChanged = metaChanged;
    copy.invalidated = invalidated;
    copy.stored.putAll(stored);
    copy.values.putAll(values);
    copy.changed.addAll(changed);
    copy.removed.addAll(removed);
    copy.undecodable.addAll(undecodable);
    return copy;
  }

  synchronized boolean isNew() {
    return storedId == null;
  }

  synchronized boolean rotated() {
    return storedId != null && !storedId.equals(id);
  }

  /** When the record must expire, if written now. */
  synchronized Instant expiry(Instant now) {
    Instant idle = now.plus(maxInactive);
    return deadline != null && deadline.isBefore(idle) ? deadline : idle;
  }

  /** Whether the session has expired by its own clock (DynamoDB deletes late; deadlines). */
  synchronized boolean expired(Instant now) {
    return !now.isBefore(accessWritten.plus(maxInactive))
        || (deadline != null && !now.isBefore(deadline));
  }

  synchronized Set<String> names() {
    Set<String> names = new LinkedHashSet<>(stored.keySet());
    names.addAll(values.keySet());
    names.removeAll(removed);
    names.removeAll(undecodable);
    return names;
  }

  /** Sets the fields a change of settings rewrites: idle timeout, deadline, principal. */
  synchronized void writeMeta(Update.Builder update) {
    update.set(MAX_INACTIVE, text(maxInactive.toSeconds()));
    if (deadline != null) {
      update.set(DEADLINE, text(deadline.toEpochMilli()));
    }
    if (principal != null) {
      update.set(PRINCIPAL, principal);
    }
  }

  /**
   * Takes a save as written: its bytes become the stored baseline and the request's changes are
   * cleared, so the next save writes only what changes after it.
   *
   * @param accessed the last access the save wrote, or null if it did not write one
   */
  synchronized void written(
      Map<String, byte[]> encoded, Set<String> removes, @Nullable Instant accessed, long version) {
    this.version = version;
    stored.putAll(encoded);
    for (String name : removes) {
      stored.remove(name);
      values.remove(name);
    }
    undecodable.removeAll(removes);
    changed.clear();
    removed.clear();
    metaChanged = false;
    if (accessed != null) {
      accessWritten = accessed;
    }
  }

  /** Checks an attribute name fits a field name. */
  static void checkName(String name) {
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > MAX_NAME_BYTES) {
      throw new IllegalArgumentException(
          "session attribute names must be 1 to "
              + MAX_NAME_BYTES
              + " UTF-8 bytes, but this one has "
              + bytes);
    }
  }

  static String field(String attribute) {
    return ATTRIBUTE + attribute;
  }

  static byte[] text(long value) {
    return Long.toString(value).getBytes(StandardCharsets.UTF_8);
  }
}
