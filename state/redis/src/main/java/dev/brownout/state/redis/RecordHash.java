package dev.brownout.state.redis;

import dev.brownout.state.StateRecord;
import dev.brownout.state.spi.RecordFields;
import io.lettuce.core.KeyValue;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A record as a Redis hash, and how to read it back: {@code _v} is the version, {@code _s} the size
 * (kept by the update script), {@code _e} the expiry in epoch milliseconds and {@code f:<name>}
 * each field. The prefix keeps a field's name from ever meeting the store's own names.
 */
final class RecordHash {
  static final byte[] VERSION = Bytes.ascii("_v");
  static final byte[] EXPIRY = Bytes.ascii("_e");
  private static final String FIELD_PREFIX = "f:";

  private RecordHash() {}

  /** The hash field that holds the record's field {@code name}. */
  static byte[] field(String name) {
    return Bytes.utf8(FIELD_PREFIX + name);
  }

  /**
   * What an {@code HMGET} of {@code names} asks for: the version and the expiry, then each field.
   */
  static byte[][] selection(List<String> names) {
    byte[][] wanted = new byte[names.size() + 2][];
    wanted[0] = VERSION;
    wanted[1] = EXPIRY;
    for (int i = 0; i < names.size(); i++) {
      wanted[i + 2] = field(names.get(i));
    }
    return wanted;
  }

  /** The record in a whole hash ({@code HGETALL}); empty if there is none. */
  static Optional<StateRecord> fromHash(String key, @Nullable Map<byte[], byte[]> hash) {
    if (hash == null || hash.isEmpty()) {
      return Optional.empty();
    }
    long version = -1;
    Instant expiresAt = null;
    Map<String, byte[]> fields = new LinkedHashMap<>();
    for (Map.Entry<byte[], byte[]> entry : hash.entrySet()) {
      String name = Bytes.utf8(entry.getKey());
      if (name.startsWith(FIELD_PREFIX)) {
        fields.put(name.substring(FIELD_PREFIX.length()), entry.getValue());
      } else if (name.equals("_v")) {
        version = Long.parseLong(Bytes.ascii(entry.getValue()));
      } else if (name.equals("_e")) {
        expiresAt = Instant.ofEpochMilli(Long.parseLong(Bytes.ascii(entry.getValue())));
      }
    }
    return version < 0
        ? Optional.empty()
        : Optional.of(new StateRecord(key, RecordFields.adopt(fields), version, expiresAt));
  }

  /**
   * The record in the answer to an {@code HMGET} of {@link #selection(List) selection(names)};
   * empty if there is none. Fields the record does not have are left out.
   */
  static Optional<StateRecord> fromSelection(
      String key, List<String> names, List<KeyValue<byte[], byte[]>> values) {
    if (!values.get(0).hasValue()) {
      return Optional.empty();
    }
    Map<String, byte[]> selected = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      KeyValue<byte[], byte[]> value = values.get(i + 2);
      if (value.hasValue()) {
        selected.put(names.get(i), value.getValue());
      }
    }
    long version = Long.parseLong(Bytes.ascii(values.get(0).getValue()));
    Instant expiresAt =
        values.get(1).hasValue()
            ? Instant.ofEpochMilli(Long.parseLong(Bytes.ascii(values.get(1).getValue())))
            : null;
    return Optional.of(new StateRecord(key, RecordFields.adopt(selected), version, expiresAt));
  }
}
