package dev.brownout.session;

import dev.brownout.state.StateRecord;
import dev.brownout.state.Update;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
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
 * the SHA-256 of the id's secret (absent on records written before ids had secrets), {@code _o} and
 * {@code _r} the previous secret's hash and when it was replaced, {@code _c} created, {@code _a}
 * last access written, {@code _i} max inactive seconds, {@code _d} absolute deadline, {@code _p}
 * principal, {@code _x} when the principal's index expires (all UTF-8 decimal text, times in epoch
 * milliseconds), and {@code a:<name>} per attribute, as the codec wrote it.
 */
final class SessionData {
  static final String SECRET = "_s";
  static final String PREVIOUS_SECRET = "_o";
  static final String ROTATED_AT = "_r";

  /**
   * How long after a change of id a request still carrying the old one is refused (409) rather than
   * given a new session: the requests a browser sent just before the sign-in's answer arrived. A
   * new session would replace the signed-in one in the browser.
   */
  static final Duration ROTATION_GRACE = Duration.ofMinutes(1);

  static final String CREATED = "_c";
  static final String ACCESSED = "_a";
  static final String MAX_INACTIVE = "_i";
  static final String DEADLINE = "_d";
  static final String PRINCIPAL = "_p";
  static final String INDEX_EXPIRY = "_x";
  static final String ATTRIBUTE = "a:";
  static final int MAX_NAME_BYTES = Update.MAX_FIELD_NAME_BYTES - ATTRIBUTE.length();

  /** The key of its record. */
  final String key;

  /** Whether the record exists (has been saved, or was loaded). */
  boolean inStore;

  /** The id the client is told: key and current secret. Changes with {@code changeSessionId}. */
  String id;

  /** The secret of {@link #id}; null for a record written before ids had secrets. */
  @Nullable String secret;

  /** The secret hash the record holds, as loaded or last written; null if none. */
  byte @Nullable [] storedSecretHash;

  /**
   * The hashes of the secrets replaced within {@link #ROTATION_GRACE} of the last change of id,
   * newest first, 32 bytes each; null if none.
   */
  byte @Nullable [] previousSecrets;

  /** When the id last changed; null if it never did. */
  @Nullable Instant rotatedAt;

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

  /** Whether this request itself changed the id (not a change it inherited from a held copy). */
  boolean rotatedHere;

  /** The secret of the id this copy was loaded or copied under. */
  @Nullable String loadedSecret;

  /**
   * The secrets this server gave the session while its changes were not yet in the store
   * (serve-cached): a write whose answer was lost may have landed, and a secret found in the store
   * that is one of these is this server's own doing, not another sign-in's.
   */
  final Set<String> issuedSecrets = new LinkedHashSet<>();

  /** The version of the held change this copy was taken from; -1 if not taken from one. */
  long heldSequence = -1;

  /** For a held change: the sequence at which a request's change of id was added to it. */
  long secretSequence = -1;

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
    data.loadedSecret = data.secret;
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
    data.get().loadedSecret = secret;
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
    data.previousSecrets = record.field(PREVIOUS_SECRET).orElse(null);
    data.rotatedAt = millis(record, ROTATED_AT).map(Instant::ofEpochMilli).orElse(null);
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
    copy.loadedSecret = secret;
    copy.storedSecretHash = storedSecretHash;
    copy.previousSecrets = previousSecrets;
    copy.rotatedAt = rotatedAt;
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
    copy.issuedSecrets.addAll(issuedSecrets);
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
      if (later.rotatedHere && !Objects.equals(later.secret, secret)) {
        secret = later.secret;
        id = later.id;
        secretChanged = true;
      }
      invalidated |= later.invalidated;
      issuedSecrets.addAll(later.issuedSecrets);
      if (later.accessWritten.isAfter(accessWritten)) {
        accessWritten = later.accessWritten;
      }
    }
  }

  /**
   * Takes {@code saved}, a copy of this held change that was just written, as the baseline: its
   * version and stored secret. The changes held here stay to be written.
   */
  synchronized void rebaseOn(SessionData saved) {
    synchronized (saved) {
      version = saved.version;
      inStore = saved.inStore;
      storedSecretHash = saved.storedSecretHash;
      previousSecrets = saved.previousSecrets;
      rotatedAt = saved.rotatedAt;
      // The saved copy's id is the current one unless a change of id was added here after the
      // copy was taken.
      if (secretSequence <= saved.heldSequence) {
        secret = saved.secret;
        id = saved.id;
        secretChanged = false;
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

  /** Gives the session a new secret, so a new id; the save replaces the stored secret. */
  synchronized String rotate() {
    secret = SessionIds.newSecret();
    id = SessionIds.withSecret(key, secret);
    secretChanged = true;
    rotatedHere = true;
    issuedSecrets.add(secret);
    return id;
  }

  synchronized boolean isNew() {
    return !inStore;
  }

  /** Whether {@code storedHash} is the hash of a secret this server gave the session. */
  synchronized boolean issued(byte @Nullable [] storedHash) {
    if (storedHash == null) {
      return false;
    }
    for (String issued : issuedSecrets) {
      if (MessageDigest.isEqual(SessionIds.hash(issued), storedHash)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the save must replace the stored secret (the id was changed). */
  synchronized boolean rotated() {
    return inStore && secretChanged;
  }

  /**
   * Whether this request changed something its user would miss if it were not saved: attributes,
   * the principal or idle timeout, the id, or the session's end. A new session with nothing in it
   * and an expiry refresh are not such changes.
   */
  synchronized boolean hasUserChanges() {
    return !changed.isEmpty()
        || !removed.isEmpty()
        || metaTouched
        || (inStore && (secretChanged || invalidated));
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

  /**
   * Sets the secret's hash, when the id is new or changed. A change keeps the hashes of the secrets
   * it replaced within {@link #ROTATION_GRACE} (at most {@value #MAX_PREVIOUS}), so requests still
   * carrying an old id can be told rather than started over.
   */
  synchronized void writeSecret(Update.Builder update, Instant now) {
    if (!secretChanged || secret == null) {
      return;
    }
    update.set(SECRET, SessionIds.hash(secret));
    if (storedSecretHash == null) {
      return;
    }
    ByteArrayOutputStream previous = new ByteArrayOutputStream();
    previous.writeBytes(storedSecretHash);
    if (previousSecrets != null
        && rotatedAt != null
        && !now.isAfter(rotatedAt.plus(ROTATION_GRACE))) {
      int kept = Math.min(previousSecrets.length, (MAX_PREVIOUS - 1) * HASH_BYTES);
      previous.write(previousSecrets, 0, kept - kept % HASH_BYTES);
    }
    update.set(PREVIOUS_SECRET, previous.toByteArray());
    update.set(ROTATED_AT, text(now.toEpochMilli()));
  }

  private static final int HASH_BYTES = 32;
  private static final int MAX_PREVIOUS = 8;

  /**
   * Whether {@code id} is one of the ids {@code record} had until a change of id at most {@link
   * #ROTATION_GRACE} before {@code now}.
   */
  static boolean replacedRecently(StateRecord record, String id, Instant now) {
    byte[] previous = record.field(PREVIOUS_SECRET).orElse(null);
    Optional<Long> at = millis(record, ROTATED_AT);
    String secret = SessionIds.secret(id);
    if (previous == null
        || secret == null
        || at.isEmpty()
        || now.toEpochMilli() - at.get() > ROTATION_GRACE.toMillis()) {
      return false;
    }
    byte[] hash = SessionIds.hash(secret);
    boolean found = false;
    for (int i = 0; i + HASH_BYTES <= previous.length; i += HASH_BYTES) {
      // Every entry is compared, so the time taken does not say which one matched.
      found |= MessageDigest.isEqual(hash, Arrays.copyOfRange(previous, i, i + HASH_BYTES));
    }
    return found;
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
