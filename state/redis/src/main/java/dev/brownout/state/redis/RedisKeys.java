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

  /** The channel a watchable namespace's changes are published on with classic pub/sub. */
  String channel(Namespace namespace) {
    return prefix + ":watch:" + namespace.name();
  }

  /**
   * The channel a watchable namespace's changes are published on: with sharded pub/sub, a small
   * namespace's carries its hash tag, so it is in the slot of the namespace's records, on the shard
   * whose primary runs the scripts that publish on it; otherwise the classic channel.
   */
  String channel(Namespace namespace, boolean sharded) {
    return sharded && namespace.small()
        ? prefix + ":{" + namespace.name() + "}:watch"
        : channel(namespace);
  }

  /**
   * Whether {@code channel} is a sharded pub/sub channel ({@link #channel(Namespace, boolean)}).
   */
  boolean sharded(String channel) {
    // A classic channel goes on with ":watch:", so the brace tells them apart.
    return channel.startsWith(prefix + ":{");
  }

  /** The namespace whose changes {@code channel}, classic or sharded, carries. */
  String namespaceOf(String channel) {
    return sharded(channel)
        ? channel.substring(prefix.length() + 2, channel.length() - "}:watch".length())
        : channel.substring((prefix + ":watch:").length());
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
