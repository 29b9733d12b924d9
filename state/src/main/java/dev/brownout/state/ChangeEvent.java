package dev.brownout.state;

import org.jspecify.annotations.Nullable;

/**
 * A record of a watched namespace changed, on this server or another.
 *
 * @param namespace the namespace
 * @param key the record's key
 * @param version the version after an update, or {@code -1} after a delete
 * @param origin the {@link Update#origin() origin} the update carried, or {@code null} if it
 *     carried none or the store does not pass origins on (DynamoDB)
 */
public record ChangeEvent(String namespace, String key, long version, @Nullable String origin) {

  /** A change with no origin. */
  public ChangeEvent(String namespace, String key, long version) {
    this(namespace, key, version, null);
  }

  /** Whether the record was deleted. */
  public boolean deleted() {
    return version < 0;
  }
}
