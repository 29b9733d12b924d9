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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One request's copy of a session: what was loaded, as bytes, and what the request changed. Values
 * are decoded when first read; only changed attributes are encoded and written. Every method is
 * synchronized, for applications that touch the session from more than one thread of a request.
 *
 * <p>Record layout, one record per session keyed by its {@linkplain SessionIds#key key}: {@code _s}
 * the SHA-256 of the id's secret (absent on records written before ids had secrets), {@code _c}
 * created, {@code _a} last access written, {@code _i} max inactive seconds, {@code _d} absolute
 * deadline, {@code _p} principal, {@code _x} when the principal's index expires (all UTF-8 decimal
 * text, times in epoch milliseconds), and {@code a:<name>} per attribute, as the codec wrote it.
 */
final class SessionData {
  static final String SECRET = "_s";
  static final String CREATED = "_c";
  static final String ACCESSED = "_a";
  static final String MAX_INACTIVE = "_i";
  static final String DEADLINE = "_d";
  static final String PRINCIPAL = "_p";
  static final String INDEX_EXPIRY = "_x";
  static final String ATTRIBUTE = "a:";
  static final int MAX_NAME_BYTES = Update.MAX_FIELD_NAME_BYTES - ATTRIBUTE.length();

  /** The key of its record. Changes only when a racing sign-in starts a session of its own. */
  String key;

  /** Whether the record exists (has been saved, or was loaded). */
  boolean inStore;

  /** The id the client is told: key and current secret. Changes with {@code changeSessionId}. */
  String id;

  /** The secret of {@link #id}; null for a record written before ids had secrets. */
  @Nullable String secret;

  /** The secret hash the record holds, as loaded or last written; null if none. */
  byte @Nullable [] storedSecretHash;

  /** Whether the secret changed since it was loaded or last written: the save rotates the id. */
  boolean secretChanged;

  /** Whether the session was created in this request ({@code isNew}). */
  boolean createdHere;

  /**
   * Attributes this request itself set or removed, and whether it changed the settings: what it
   * adds to a change the serve-cached policy holds ({@link #mergeInto}).
   */
  final Set<String> touched = new LinkedHashSet<>();

  boolean metaTouched;

  /** The version of the held change this copy was taken from; -1 if not taken from one. */
  long heldSequence = -1;

  /** Why the last save was refused; null if it was not. */
  @Nullable SessionConflict conflict;

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

  private SessionData(String key, Instant created, Duration maxInactive) {
    this.key = key;
    this.id = key;
    this.created = created;
    this.accessWritten = created;
    this.maxInactive = maxInactive;
  }

  /** A new session, not yet stored. */
  static SessionData create(Instant now, Duration maxInactive, @Nullable Instant deadline) {
    SessionData data = new SessionData(SessionIds.newKey(), now, maxInactive);
    data.secret = SessionIds.newSecret();
    data.id = SessionIds.withSecret(data.key, data.secret);
    data.secretChanged = true;
    data.createdHere = true;
    data.deadline = deadline;
    data.metaChanged = true;
    return data;
  }

  /**
   * The session {@code id} names, or empty if the record is not one or {@code id}'s secret is not
   * the record's (both then count as absent).
   */
  static Optional<SessionData> from(StateRecord record, String id) {
    Optional<SessionData> data = from(record);
    String secret = SessionIds.secret(id);
    if (data.isEmpty() || !SessionIds.matches(secret, data.get().storedSecretHash)) {
      return Optional.empty();
    }
    data.get().secret = secret;
    data.get().id = id;
    return data;
  }

  /**
   * A loaded session whatever its secret, or empty if the record is not one (it is then treated as
   * absent). Its {@link #id} is the bare key: for management and rebasing, never for a client.
   */
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
    data.inStore = true;
    data.storedSecretHash = record.field(SECRET).orElse(null);
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

  /**
   * A copy for another request (the serve-cached policy shares held sessions this way): what this
   * request itself touched is cleared in the copy, which starts counting its own.
   */
  synchronized SessionData copy() {
    SessionData copy = new SessionData(key, created, maxInactive);
    copy.inStore = inStore;
    copy.id = id;
    copy.secret = secret;
    copy.storedSecretHash = storedSecretHash;
    copy.secretChanged = secretChanged;
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

  /**
   * Adds what {@code later}, a request that started from a copy of this held change, did itself:
   * its attributes set and removed, its settings, its rotation or invalidation. Changes it only
   * inherited are left as they are here, so two requests that started from the same copy both keep
   * their changes.
   */
  synchronized void mergeFrom(SessionData later) {
    synchronized (later) {
      for (String name : later.touched) {
        if (later.removed.contains(name)) {
          values.remove(name);
          changed.remove(name);
          removed.add(name);
        } else if (later.values.containsKey(name)) {
          values.put(name, later.values.get(name));
          changed.add(name);
          removed.remove(name);
          undecodable.remove(name);
        }
      }
      if (later.metaTouched) {
        maxInactive = later.maxInactive;
        deadline = later.deadline;
        principal = later.principal;
        indexExpiry = later.indexExpiry;
        metaChanged = true;
      }
      if (later.secretChanged && !Objects.equals(later.secret, secret)) {
        secret = later.secret;
        id = later.id;
        secretChanged = true;
      }
      invalidated |= later.invalidated;
      if (later.accessWritten.isAfter(accessWritten)) {
        accessWritten = later.accessWritten;
      }
    }
  }

  /** Sets an attribute: a change of this request's. */
  synchronized void set(String name, Object value) {
    values.put(name, value);
    changed.add(name);
    removed.remove(name);
    undecodable.remove(name);
    touched.add(name);
  }

  /** Removes an attribute: a change of this request's. */
  synchronized void remove(String name) {
    values.remove(name);
    changed.remove(name);
    removed.add(name);
    touched.add(name);
  }

  /** Marks the settings (idle timeout, deadline, principal) changed by this request. */
  synchronized void metaChangedHere() {
    metaChanged = true;
    metaTouched = true;
  }

  /**
   * Makes this copy a new session under a new key, with the attributes it holds: a sign-in that
   * lost the race for its id to another sign-in starts over from what it loaded.
   */
  synchronized void restartUnderNewKey() {
    key = SessionIds.newKey();
    inStore = false;
    version = 0;
    storedSecretHash = null;
    indexExpiry = null;
    metaChanged = true;
    rotate();
  }

  /** Gives the session a new secret, so a new id; the save replaces the stored secret. */
  synchronized String rotate() {
    secret = SessionIds.newSecret();
    id = SessionIds.withSecret(key, secret);
    secretChanged = true;
    return id;
  }

  synchronized boolean isNew() {
    return !inStore;
  }

  /** Whether the save must replace the stored secret (the id was changed). */
  synchronized boolean rotated() {
    return inStore && secretChanged;
  }

  /** Whether this request changed anything a save would lose: attributes, settings, the id. */
  synchronized boolean hasChanges() {
    return !changed.isEmpty()
        || !removed.isEmpty()
        || !undecodable.isEmpty()
        || metaChanged
        || secretChanged;
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

  /** Sets the secret's hash, when the id is new or changed. */
  synchronized void writeSecret(Update.Builder update) {
    if (secretChanged && secret != null) {
      update.set(SECRET, SessionIds.hash(secret));
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
    if (secretChanged && secret != null) {
      storedSecretHash = SessionIds.hash(secret);
    }
    secretChanged = false;
    inStore = true;
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
