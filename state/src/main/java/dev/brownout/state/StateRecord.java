package dev.brownout.state;

import dev.brownout.state.spi.RecordFields;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
  private final String key;
  private final RecordFields shared;
  private final long version;
  private final @Nullable Instant expiresAt;

  /** Creates a record; the field arrays are copied. */
  public StateRecord(
      String key, Map<String, byte[]> fields, long version, @Nullable Instant expiresAt) {
    this(key, RecordFields.copyOf(fields), version, expiresAt);
  }

  /**
   * Creates a record over shared fields, without copying them: for stores that build records from
   * arrays nobody else holds (see {@link RecordFields#adopt}).
   */
  public StateRecord(String key, RecordFields fields, long version, @Nullable Instant expiresAt) {
    this.key = Objects.requireNonNull(key, "key");
    this.shared = Objects.requireNonNull(fields, "fields");
    this.version = version;
    this.expiresAt = expiresAt;
  }

  /**
   * The fields, shared rather than copied, for code that only reads them on a hot path; the arrays
   * must not be changed. Everyday code reads {@link #field(String)} or {@link #fields()}.
   */
  public RecordFields sharedFields() {
    return shared;
  }

  /** The record's key. */
  public String key() {
    return key;
  }

  /** The names of the fields present. */
  public Set<String> fieldNames() {
    return shared.names();
  }

  /** A field's value, copied. */
  public Optional<byte[]> field(String name) {
    byte[] value = shared.get(name);
    return value == null ? Optional.empty() : Optional.of(value.clone());
  }

  /** A field's value as UTF-8 text. */
  public Optional<String> text(String name) {
    byte[] value = shared.get(name);
    return value == null
        ? Optional.empty()
        : Optional.of(new String(value, StandardCharsets.UTF_8));
  }

  /** Every field, copied. */
  public Map<String, byte[]> fields() {
    Map<String, byte[]> copy = new LinkedHashMap<>();
    shared.forEach((name, value) -> copy.put(name, value.clone()));
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
    long[] size = {0};
    shared.forEach((name, value) -> size[0] += Update.nameBytes(name) + value.length);
    return size[0];
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
    if (!shared.names().equals(that.shared.names())) {
      return false;
    }
    for (String name : shared.names()) {
      if (!Arrays.equals(shared.get(name), that.shared.get(name))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, version, shared.names());
  }

  @Override
  public String toString() {
    return "StateRecord["
        + key
        + " v"
        + version
        + " "
        + shared.names()
        + (expiresAt == null ? "" : " expires " + expiresAt)
        + "]";
  }
}
