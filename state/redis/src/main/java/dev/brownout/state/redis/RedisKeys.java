package dev.brownout.state.redis;

import dev.brownout.state.Namespace;

/**
 * The names of the store's Redis keys and channels, all under one prefix.
 *
 * <p>A small namespace's records and its index share the hash tag {@code {<namespace>}}, so they
 * sit in one cluster slot and one script may touch both; a large namespace's record is tagged by
 * its own key, so a large namespace spreads across the cluster.
 */
final class RedisKeys {
  private final String prefix;

  RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  String prefix() {
    return prefix;
  }

  /** The hash that holds a record. */
  byte[] record(Namespace namespace, String key) {
    String text =
        namespace.small()
            ? prefix + ":{" + namespace.name() + "}:r:" + key
            : prefix + ":" + namespace.name() + ":{" + key + "}";
    return Bytes.utf8(text);
  }

  /** The set of a small namespace's keys, which is what makes it listable. */
  byte[] index(Namespace namespace) {
    return Bytes.utf8(prefix + ":{" + namespace.name() + "}:index");
  }

  /** The channel a watchable namespace's changes are published on. */
  String channel(Namespace namespace) {
    return prefix + ":watch:" + namespace.name();
  }

  /** The namespace whose changes {@code channel} carries. */
  String namespaceOf(String channel) {
    return channel.substring((prefix + ":watch:").length());
  }

  /**
   * The keys a write script is given: the record's hash, and a small namespace's index too, which
   * the script keeps in step with the record.
   */
  byte[][] scriptKeys(Namespace namespace, String key) {
    return namespace.small()
        ? new byte[][] {record(namespace, key), index(namespace)}
        : new byte[][] {record(namespace, key)};
  }
}
