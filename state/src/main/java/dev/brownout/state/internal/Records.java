package dev.brownout.state.internal;

import dev.brownout.state.StateRecord;
import java.time.Instant;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * What stores and modules of this project do with a {@link StateRecord} that is not public API:
 * build one from arrays nobody else holds, and read its fields without copying them. A record
 * copies its field arrays in and out so that public callers cannot change it; a store that has just
 * decoded a reply, or a module that only reads, need not pay for those copies (a 2 KB session
 * attribute was copied twice per load). {@code StateRecord} registers the accessor when its class
 * initializes.
 */
public final class Records {
  /** The accessor {@code StateRecord} registers. */
  public interface Accessor {
    /** A record that keeps {@code fields} and its arrays as they are, without copying. */
    StateRecord adopt(
        String key, Map<String, byte[]> fields, long version, @Nullable Instant expiresAt);

    /** Each field of the record, with the record's own array. */
    void forEachField(StateRecord record, BiConsumer<String, byte[]> action);
  }

  private static @Nullable Accessor accessor;

  private Records() {}

  /**
   * Registers the accessor; only {@code StateRecord} calls this, once.
   *
   * @throws IllegalStateException if one is registered already
   */
  public static synchronized void register(Accessor registered) {
    if (accessor != null) {
      throw new IllegalStateException("the StateRecord accessor is registered already");
    }
    accessor = registered;
  }

  private static Accessor accessor() {
    Accessor current = accessor;
    if (current == null) {
      // Registered by StateRecord's static initializer: make sure it has run.
      try {
        Class.forName(StateRecord.class.getName(), true, StateRecord.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      current = accessor;
      if (current == null) {
        throw new IllegalStateException("StateRecord did not register its accessor");
      }
    }
    return current;
  }

  /**
   * A record holding {@code fields} as they are: the caller gives up the map and its arrays, and
   * must not change them afterwards.
   */
  public static StateRecord adopt(
      String key, Map<String, byte[]> fields, long version, @Nullable Instant expiresAt) {
    return accessor().adopt(key, fields, version, expiresAt);
  }

  /** Each field of the record, with the record's own array, which the action must not change. */
  public static void forEachField(StateRecord record, BiConsumer<String, byte[]> action) {
    accessor().forEachField(record, action);
  }
}
