package dev.brownout.state;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The storage contract under Brownout's flags, sessions and read mode: records of named byte
 * fields, each with a version and an optional expiry, in namespaces.
 *
 * <p>Every operation is bounded by the store's timeout and fails with a {@link StateException}
 * subtype, never anything else for a store failure:
 *
 * <ul>
 *   <li>{@link StateUnavailableException}: the store cannot be reached or did not answer in time
 *       (the operation may or may not have taken effect);
 *   <li>{@link PreconditionFailedException}: the precondition did not hold, nothing changed;
 *   <li>{@link RecordTooLargeException}: the record would exceed {@link #maxRecordBytes()}, nothing
 *       changed.
 * </ul>
 *
 * Bad arguments (an empty key, an invalid field name, listing a large namespace) throw {@link
 * IllegalArgumentException} before any call. An expired record is absent for every operation.
 * Implementations are thread-safe. The {@code brownout-state-testkit} contract suite says exactly
 * what every implementation does, and every implementation passes it.
 */
public interface StateStore extends AutoCloseable {
  /** The default limit on a record's size, DynamoDB's item limit less room for its bookkeeping. */
  long DEFAULT_MAX_RECORD_BYTES = 390 * 1024;

  /** The longest key, in UTF-8 bytes. */
  int MAX_KEY_BYTES = 1024;

  /**
   * What kind of store this is, such as {@code memory}, {@code redis} or {@code dynamodb}: a metric
   * tag.
   */
  String kind();

  /** The largest record this store accepts: the UTF-8 bytes of field names plus values. */
  long maxRecordBytes();

  /** Reads a record, strongly consistent: a read after a write sees the write. */
  Optional<StateRecord> read(Namespace namespace, String key);

  /**
   * Reads some fields of a record (with its version and expiry); fields it lacks are left out.
   *
   * @throws IllegalArgumentException if {@code fields} is empty
   */
  Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields);

  /**
   * Applies an update atomically, in one round trip.
   *
   * @throws PreconditionFailedException if the precondition does not hold
   * @throws RecordTooLargeException if the record would exceed {@link #maxRecordBytes()}
   */
  WriteResult update(Namespace namespace, String key, Update update);

  /**
   * Deletes a record, leaving nothing behind that a later write could bring back.
   *
   * @param precondition {@link Precondition#none()}, {@link Precondition#present()} or {@link
   *     Precondition#versionEquals(long)}
   * @return whether a live record was deleted
   * @throws PreconditionFailedException if the precondition does not hold
   */
  boolean delete(Namespace namespace, String key, Precondition precondition);

  /**
   * Every live record of a small namespace.
   *
   * @throws IllegalArgumentException if the namespace is large
   */
  List<StateRecord> list(Namespace namespace);

  /**
   * Watches a namespace for changes made through any client of this store, this one included.
   *
   * @throws IllegalArgumentException if the namespace is not watchable
   */
  Watch watch(Namespace namespace, WatchListener listener);

  /** Releases connections and threads. */
  @Override
  void close();
}
