package dev.brownout.flags;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Unmodifiable copies for definitions, which are shared by every evaluation: a caller that changes
 * a list it passed in, or a value it was given back, must not change the next caller's answer.
 * Nulls are kept (validation names them), unlike {@link List#copyOf}.
 */
final class Frozen {
  private Frozen() {}

  static <T> @Nullable List<T> list(@Nullable List<T> list) {
    if (list == null) {
      return null;
    }
    return Collections.unmodifiableList(new ArrayList<>(list));
  }

  static <V> @Nullable Map<String, V> map(@Nullable Map<String, V> map) {
    if (map == null) {
      return null;
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /** Variant values, with JSON objects and arrays frozen all the way down. */
  static @Nullable Map<String, Object> values(@Nullable Map<String, Object> variants) {
    if (variants == null) {
      return null;
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    variants.forEach((name, value) -> copy.put(name, json(value)));
    return Collections.unmodifiableMap(copy);
  }

  /** A JSON value frozen: maps and lists copied and wrapped, scalars as they are. */
  static @Nullable Object json(@Nullable Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(k, json(v)));
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object element : list) {
        copy.add(json(element));
      }
      return Collections.unmodifiableList(copy);
    }
    return value;
  }

  /** Whether {@code value} is made only of JSON maps (string keys), lists and scalars. */
  static boolean isJson(@Nullable Object value, int depth) {
    if (depth > 64) {
      return false;
    }
    if (value == null
        || value instanceof String
        || value instanceof Boolean
        // Immutable numbers only: an AtomicLong is a Number too.
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Double
        || value instanceof Float
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger
        || value instanceof BigDecimal) {
      return true;
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!(entry.getKey() instanceof String) || !isJson(entry.getValue(), depth + 1)) {
          return false;
        }
      }
      return true;
    }
    if (value instanceof List<?> list) {
      for (Object element : list) {
        if (!isJson(element, depth + 1)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }
}
