package dev.brownout.state;

import dev.brownout.state.internal.Records;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A record as read from a store: named byte fields, a version and an optional expiry. Immutable:
 * the field arrays are copied in and out.
 *
 * <p>Versions are opaque: a record gets a fresh version when it is created (from the store's clock,
 * in microseconds) and each update adds one. So a version is not reused when a record is deleted
 * and created again, and a stale compare-and-set cannot succeed against the new record.
 */
public final class StateRecord {
  static {
    Records.register(
        new Records.Accessor() {
          @Override
          public StateRecord adopt(
              String key, Map<String, byte[]> fields, long version, @Nullable Instant expiresAt) {
            return new StateRecord(Collections.unmodifiableMap(fields), key, version, expiresAt);
          }

          @Override
          public void forEachField(StateRecord record, BiConsumer<String, byte[]> action) {
            record.fields.forEach(action);
          }
        });
  }

  private final String key;
  private final Map<String, byte[]> fields;
  private final long version;
  private final @Nullable Instant expiresAt;

  /** Creates a record; the field arrays are copied. */
  public StateRecord(
      String key, Map<String, byte[]> fields, long version, @Nullable Instant expiresAt) {
    this(copyIn(fields), key, version, expiresAt);
  }

  /** A record over a map nobody else holds or changes. */
  private StateRecord(
      Map<String, byte[]> owned, String key, long version, @Nullable Instant expiresAt) {
    this.key = Objects.requireNonNull(key, "key");
    this.fields = owned;
    this.version = version;
    this.expiresAt = expiresAt;
  }

  private static Map<String, byte[]> copyIn(Map<String, byte[]> fields) {
    Map<String, byte[]> copy = new LinkedHashMap<>();
    fields.forEach((name, value) -> copy.put(name, value.clone()));
    return Collections.unmodifiableMap(copy);
  }

  /** The record's key. */
  public String key() {
    return key;
  }

  /** The names of the fields present. */
  public java.util.Set<String> fieldNames() {
    return fields.keySet();
  }

  /** A field's value, copied. */
  public Optional<byte[]> field(String name) {
    byte[] value = fields.get(name);
    return value == null ? Optional.empty() : Optional.of(value.clone());
  }

  /** A field's value as UTF-8 text. */
  public Optional<String> text(String name) {
    byte[] value = fields.get(name);
    return value == null
        ? Optional.empty()
        : Optional.of(new String(value, StandardCharsets.UTF_8));
  }

  /** Every field, copied. */
  public Map<String, byte[]> fields() {
    Map<String, byte[]> copy = new LinkedHashMap<>();
    fields.forEach((name, value) -> copy.put(name, value.clone()));
    return copy;
  }

  /** The version. */
  public long version() {
    return version;
  }

  /** When the record expires, if it does. */
  public Optional<Instant> expiresAt() {
    return Optional.ofNullable(expiresAt);
  }

  /** The size as stores count it: the UTF-8 bytes of every field name plus every value. */
  public long size() {
    long size = 0;
    for (Map.Entry<String, byte[]> field : fields.entrySet()) {
      size += Update.nameBytes(field.getKey()) + field.getValue().length;
    }
    return size;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof StateRecord that)) {
      return false;
    }
    if (!key.equals(that.key)
        || version != that.version
        || !Objects.equals(expiresAt, that.expiresAt)) {
      return false;
    }
    if (!fields.keySet().equals(that.fields.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> field : fields.entrySet()) {
      if (!java.util.Arrays.equals(field.getValue(), that.fields.get(field.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, version, fields.keySet());
  }

  @Override
  public String toString() {
    return "StateRecord["
        + key
        + " v"
        + version
        + " "
        + fields.keySet()
        + (expiresAt == null ? "" : " expires " + expiresAt)
        + "]";
  }
}
