package dev.brownout.state.redis;

import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.state.ChangeEvent;
import dev.brownout.state.Namespace;
import dev.brownout.state.Watch;
import dev.brownout.state.WatchListener;
import dev.brownout.state.spi.ChangeDelivery;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's watchers, over pub/sub: one subscription per watched namespace on a connection of its
 * own, made on the first watch; each change message parsed and handed to the namespace's listeners
 * on one dispatch thread; and every watcher told to resynchronise when that connection comes back,
 * because Redis does not keep the messages published while it was down.
 */
final class RedisWatchers {
  // The store's logger, not this class's: the store is what operators set log levels for.
  private static final Logger log = LoggerFactory.getLogger(RedisStateStore.class);

  private final RedisConnection connection;
  private final RedisKeys keys;
  private final Object pubSubLock = new Object();
  private @Nullable StatefulRedisPubSubConnection<byte[], byte[]> pubSub;
  private final ConcurrentHashMap<String, CopyOnWriteArrayList<WatchListener>> watchers =
      new ConcurrentHashMap<>();
  private final ExecutorService dispatcher =
      Executors.newSingleThreadExecutor(DaemonThreads.named("brownout-redis-watch"));
  private volatile boolean pubSubLost;

  RedisWatchers(RedisConnection connection, RedisKeys keys) {
    this.connection = connection;
    this.keys = keys;
  }

  /**
   * Adds {@code listener} to the watchers of a watchable namespace, subscribing if it is the first.
   */
  Watch watch(Namespace namespace, WatchListener listener) {
    StatefulRedisPubSubConnection<byte[], byte[]> subscriber = pubSub();
    String channel = keys.channel(namespace);
    CopyOnWriteArrayList<WatchListener> list =
        watchers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>());
    synchronized (list) {
      if (list.isEmpty()) {
        connection.call(
            "watch",
            namespace,
            "*",
            () -> {
              subscriber.sync().subscribe(Bytes.utf8(channel));
              return null;
            });
      }
      list.add(listener);
    }
    return () -> {
      synchronized (list) {
        if (list.remove(listener) && list.isEmpty()) {
          try {
            subscriber.sync().unsubscribe(Bytes.utf8(channel));
          } catch (RedisException e) {
            log.debug("Could not unsubscribe from {}", channel, e);
          }
        }
      }
    };
  }

  private StatefulRedisPubSubConnection<byte[], byte[]> pubSub() {
    synchronized (pubSubLock) {
      if (pubSub == null) {
        StatefulRedisPubSubConnection<byte[], byte[]> connected = connection.connectPubSub();
        connected.addListener(
            new RedisPubSubAdapter<byte[], byte[]>() {
              @Override
              public void message(byte[] channel, byte[] message) {
                deliver(Bytes.utf8(channel), Bytes.utf8(message));
              }
            });
        connected.addListener(
            new RedisConnectionStateListener() {
              @Override
              public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                pubSubLost = true;
              }

              @Override
              public void onRedisConnected(
                  RedisChannelHandler<?, ?> handler, SocketAddress address) {
                if (pubSubLost) {
                  pubSubLost = false;
                  resyncAll();
                }
              }
            });
        pubSub = connected;
      }
      return pubSub;
    }
  }

  private void deliver(String channel, String message) {
    List<WatchListener> list = watchers.get(channel);
    if (list == null || list.isEmpty()) {
      return;
    }
    // "u <version> <origin> <key>" or "d -1 <origin> <key>", origin '-' for none; the key may
    // contain spaces.
    int first = message.indexOf(' ');
    int second = message.indexOf(' ', first + 1);
    int third = second < 0 ? -1 : message.indexOf(' ', second + 1);
    if (first < 0 || third < 0) {
      log.warn("Ignoring a malformed change message on {}", channel);
      return;
    }
    long version = Long.parseLong(message.substring(first + 1, second));
    String origin = message.substring(second + 1, third);
    ChangeEvent event =
        new ChangeEvent(
            keys.namespaceOf(channel),
            message.substring(third + 1),
            version,
            origin.equals("-") ? null : origin);
    ChangeDelivery.deliver(list, event, dispatcher);
  }

  private void resyncAll() {
    log.info(
        "Reconnected to the redis store at {}; telling watchers to resynchronise",
        connection.address());
    dispatcher.execute(
        () ->
            watchers.forEach(
                (channel, list) -> {
                  for (WatchListener listener : list) {
                    try {
                      listener.onResync();
                    } catch (RuntimeException e) {
                      log.warn("A watcher of {} failed to resynchronise", channel, e);
                    }
                  }
                }));
  }

  /** Stops dispatching and closes the pub/sub connection, if one was made. */
  void close() {
    dispatcher.shutdown();
    synchronized (pubSubLock) {
      if (pubSub != null) {
        pubSub.closeAsync();
      }
    }
  }
}
