package dev.brownout.state;

/**
 * A record of a watched namespace changed, on this server or another.
 *
 * @param namespace the namespace
 * @param key the record's key
 * @param version the version after an update, or {@code -1} after a delete
 */
public record ChangeEvent(String namespace, String key, long version) {
  /** Whether the record was deleted. */
  public boolean deleted() {
    return version < 0;
  }
}
