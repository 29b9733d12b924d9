package dev.brownout.state.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A record's fields, shared rather than copied. A {@link dev.brownout.state.StateRecord} copies its
 * arrays in and out of its everyday accessors so that no caller can change it; a store that has
 * just decoded a reply, or a module that only reads what it loaded, need not pay for those copies
 * (a 2 KB session attribute was copied twice per load). Like {@link java.nio.ByteBuffer#wrap}, the
 * arrays are shared: whoever hands them over must not change them afterwards, and whoever reads
 * them through {@link #forEach} or {@link #get} must not change them either.
 */
public final class RecordFields {
  private static final RecordFields EMPTY = new RecordFields(Map.of());

  private final Map<String, byte[]> fields;

  private RecordFields(Map<String, byte[]> fields) {
    this.fields = fields;
  }

  /**
   * Fields over {@code fields} as they are: the map and its arrays now belong to the record, and
   * the caller must not change them.
   */
  public static RecordFields adopt(Map<String, byte[]> fields) {
    Objects.requireNonNull(fields, "fields");
    return fields.isEmpty() ? EMPTY : new RecordFields(Collections.unmodifiableMap(fields));
  }

  /** Fields copied from {@code fields}, arrays included. */
  public static RecordFields copyOf(Map<String, byte[]> fields) {
    Map<String, byte[]> copy = new LinkedHashMap<>();
    fields.forEach(
        (name, value) ->
            copy.put(
                Objects.requireNonNull(name, "field name"),
                Objects.requireNonNull(value, () -> "value of field " + name).clone()));
    return adopt(copy);
  }

  /** Each field, with its shared array, which {@code action} must not change. */
  public void forEach(BiConsumer<String, byte[]> action) {
    fields.forEach(action);
  }

  /** A field's shared array, which the caller must not change; null if the field is absent. */
  public byte @Nullable [] get(String name) {
    return fields.get(name);
  }

  /** The names of the fields. */
  public Set<String> names() {
    return fields.keySet();
  }

  /** How many fields there are. */
  public int size() {
    return fields.size();
  }

  @Override
  public String toString() {
    return "RecordFields" + fields.keySet();
  }
}
