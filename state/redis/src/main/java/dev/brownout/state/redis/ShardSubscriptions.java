package dev.brownout.state.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The sharded pub/sub subscriptions of one watch connection. A sharded channel is heard only on the
 * nodes of its slot's shard, so in a cluster each is subscribed ({@code SSUBSCRIBE}) on the watch
 * connection's own connection to the primary of its slot; on one server, on the watch connection
 * itself, which the watchers look after as they do for classic channels.
 *
 * <p>A node connection is not the watch connection, so the watchers would not hear it drop: Lettuce
 * reconnects it to the same node and subscribes its channels again, but what was published in
 * between is gone, and a primary that failed over is not coming back. So a node connection that
 * drops, or does not answer a {@link #check() PING}, or a channel the server unsubscribes by itself
 * (its slot moved to another shard), makes these subscriptions {@link #check() lost}: the watchers
 * are told their feed is lost, and the watch connection is replaced with one subscribed from the
 * cluster's current slot map, after which they resynchronise.
 */
final class ShardSubscriptions {
  private final RedisConnection connection;
  private final StatefulRedisPubSubConnection<byte[], byte[]> watch;
  private final Runnable onLost;
  // Each subscribed channel, and the connection it is subscribed on.
  private final Map<String, StatefulRedisPubSubConnection<byte[], byte[]>> homes =
      new ConcurrentHashMap<>();
  private final Set<StatefulRedisPubSubConnection<byte[], byte[]>> nodes =
      ConcurrentHashMap.newKeySet();
  private volatile @Nullable String lost;

  /**
   * @param watch the watch connection (a cluster's, whose node connections it uses, or one
   *     server's)
   * @param onLost run once, when the subscriptions are first found lost
   */
  ShardSubscriptions(
      RedisConnection connection,
      StatefulRedisPubSubConnection<byte[], byte[]> watch,
      Runnable onLost) {
    this.connection = connection;
    this.watch = watch;
    this.onLost = onLost;
  }

  /**
   * Subscribes {@code channel} where its messages are published, and waits for it.
   *
   * @throws RedisException if that fails or takes longer than the timeout
   */
  void subscribe(String channel) {
    StatefulRedisPubSubConnection<byte[], byte[]> home = home(channel);
    connection.await(home.async().ssubscribe(Bytes.utf8(channel)));
    homes.put(channel, home);
  }

  /** Unsubscribes {@code channel}, if it is subscribed; waits for it. */
  void unsubscribe(String channel) {
    // Forgotten first, so the server's confirmation is not taken for an unsubscription by it.
    StatefulRedisPubSubConnection<byte[], byte[]> home = homes.remove(channel);
    if (home != null) {
      connection.await(home.async().sunsubscribe(Bytes.utf8(channel)));
    }
  }

  /**
   * Subscribes again, and waits for, the channels subscribed on the watch connection itself (one
   * server's), once it has reconnected.
   *
   * @throws RedisException if that fails or takes longer than the timeout
   */
  void resubscribeOnWatch() {
    homes.forEach(
        (channel, home) -> {
          if (home == watch) {
            connection.await(watch.async().ssubscribe(Bytes.utf8(channel)));
          }
        });
  }

  /** Called when the server says {@code channel} is unsubscribed. */
  void unsubscribed(String channel) {
    if (homes.containsKey(channel)) {
      lose("the server unsubscribed " + channel + " (its slot moved to another shard)");
    }
  }

  /**
   * Pings every node connection in use, all at once, each within the timeout; why the subscriptions
   * are lost, or null if they are not.
   */
  @Nullable String check() {
    if (lost != null) {
      return lost;
    }
    List<RedisFuture<String>> pings = new ArrayList<>();
    List<StatefulRedisPubSubConnection<byte[], byte[]>> pinged = new ArrayList<>(nodes);
    for (StatefulRedisPubSubConnection<byte[], byte[]> node : pinged) {
      pings.add(node.async().ping());
    }
    for (int i = 0; i < pings.size(); i++) {
      try {
        connection.await(pings.get(i));
      } catch (RedisCommandTimeoutException e) {
        lose("no answer to a PING within " + connection.timeout() + " from a shard's primary");
      } catch (RedisException e) {
        lose("a shard's primary cannot be reached: " + e.getMessage());
      }
    }
    return lost;
  }

  /** Where {@code channel} is subscribed: the connection to its slot's primary, in a cluster. */
  private StatefulRedisPubSubConnection<byte[], byte[]> home(String channel) {
    if (!(watch instanceof StatefulRedisClusterPubSubConnection<byte[], byte[]> cluster)) {
      return watch;
    }
    int slot = SlotHash.getSlot(Bytes.utf8(channel));
    RedisClusterNode primary = cluster.getPartitions().getMasterBySlot(slot);
    if (primary == null) {
      throw new RedisException("no primary serves slot " + slot + " yet");
    }
    String address = primary.getUri().getHost() + ":" + primary.getUri().getPort();
    StatefulRedisPubSubConnection<byte[], byte[]> node =
        connection.await(
            cluster.getConnectionAsync(primary.getUri().getHost(), primary.getUri().getPort()));
    if (node != watch && nodes.add(node)) {
      node.addListener(
          new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
              lose("the connection to the shard primary " + address + " dropped");
            }
          });
    }
    return node;
  }

  private void lose(String why) {
    boolean first;
    synchronized (this) {
      first = lost == null;
      if (first) {
        lost = why;
      }
    }
    if (first) {
      onLost.run();
    }
  }
}
