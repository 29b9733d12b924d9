package dev.brownout.state.redis;

import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.internal.OutageLog;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.ChangeEvent;
import dev.brownout.state.Namespace;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Watch;
import dev.brownout.state.WatchListener;
import dev.brownout.state.spi.ChangeDelivery;
import dev.brownout.state.spi.ChangeDispatcher;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's watchers, over pub/sub: one subscription per watched namespace on a connection of its
 * own, made on the first watch; each change message parsed and handed to the namespace's listeners
 * on one dispatch thread; every watcher told its feed is lost when that connection drops ({@link
 * WatchListener#onFeedLost()}), and told to resynchronise when it is back and subscribed again
 * (awaited, so no change made in between goes unannounced), because Redis does not keep the
 * messages published while it was down.
 *
 * <p>A subscribed connection only receives, so a dead one would go unnoticed: every keepalive
 * interval it is sent a {@code PING}, and if no answer comes within the timeout, or it has been
 * disconnected for longer than Lettuce's reconnects should take (a cluster node that failed over is
 * not coming back), it is replaced by a new connection (subscribed to the same channels; its
 * watchers told to resynchronise). Until one can be made, every interval tries again.
 *
 * <p>With sharded pub/sub ({@link RedisConnection#shardedPubSub}), a small namespace's channel is
 * subscribed with {@code SSUBSCRIBE} on the connection to its slot's primary ({@link
 * ShardSubscriptions}); losing one of those connections replaces the watch connection too.
 */
final class RedisWatchers {
  // The store's logger, not this class's: the store is what operators set log levels for.
  private static final Logger log = LoggerFactory.getLogger(RedisStateStore.class);

  private final RedisConnection connection;
  private final RedisKeys keys;
  private final Duration keepalive;
  private final OutageLog outage;
  private final Object pubSubLock = new Object();
  private @Nullable StatefulRedisPubSubConnection<byte[], byte[]> pubSub;
  // The sharded subscriptions of pubSub, made with it.
  private @Nullable ShardSubscriptions shards;
  private final ConcurrentHashMap<String, CopyOnWriteArrayList<WatchListener>> watchers =
      new ConcurrentHashMap<>();
  private final ChangeDispatcher dispatcher;
  private @Nullable ScheduledExecutorService heartbeat;
  private boolean closed;
  // Read and written on the heartbeat thread only.
  private long disconnectedSince;
  private final Duration reconnectPatience;

  RedisWatchers(
      RedisConnection connection, RedisKeys keys, Duration keepalive, BrownoutMetrics metrics) {
    this.dispatcher = ChangeDispatcher.builder("brownout-redis-watch").metrics(metrics).build();
    this.connection = connection;
    this.keys = keys;
    this.keepalive = keepalive;
    // Lettuce retries every second at most: a few tries, and the connection is given up.
    Duration twice = keepalive.multipliedBy(2);
    Duration floor = connection.timeout().plusSeconds(2);
    this.reconnectPatience = twice.compareTo(floor) > 0 ? twice : floor;
    this.outage =
        new OutageLog(log, "Watch connection of the redis store at " + connection.address());
  }

  /**
   * Adds {@code listener} to the watchers of a watchable namespace, subscribing if it is the first.
   */
  Watch watch(Namespace namespace, WatchListener listener) {
    String channel = keys.channel(namespace, connection.shardedPubSub(namespace));
    synchronized (pubSubLock) {
      StatefulRedisPubSubConnection<byte[], byte[]> subscriber = subscriber();
      ShardSubscriptions sharded = shards;
      CopyOnWriteArrayList<WatchListener> list =
          watchers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>());
      if (list.isEmpty()) {
        connection.translating(
            "watch",
            namespace,
            "*",
            () -> {
              if (keys.sharded(channel) && sharded != null) {
                sharded.subscribe(channel);
                return null;
              }
              return connection.await(subscriber.async().subscribe(Bytes.utf8(channel)));
            });
      }
      list.add(listener);
    }
    return () -> unwatch(channel, listener);
  }

  private void unwatch(String channel, WatchListener listener) {
    synchronized (pubSubLock) {
      CopyOnWriteArrayList<WatchListener> list = watchers.get(channel);
      if (list != null && list.remove(listener) && list.isEmpty() && pubSub != null) {
        try {
          if (keys.sharded(channel) && shards != null) {
            shards.unsubscribe(channel);
          } else {
            connection.await(pubSub.async().unsubscribe(Bytes.utf8(channel)));
          }
        } catch (RedisException e) {
          log.debug("Could not unsubscribe from {}", channel, e);
        }
      }
    }
  }

  /** The pub/sub connection, made (and subscribed to every watched channel) if there is none. */
  private StatefulRedisPubSubConnection<byte[], byte[]> subscriber() {
    if (closed) {
      throw new StateUnavailableException("the redis store is closed", null);
    }
    if (pubSub != null) {
      return pubSub;
    }
    StatefulRedisPubSubConnection<byte[], byte[]> made = connection.connectPubSub();
    ShardSubscriptions madeShards =
        new ShardSubscriptions(
            connection,
            made,
            () -> {
              if (isCurrent(made)) {
                feedLostAll();
              }
            });
    try {
      byte[][] classic = watchedChannels(false);
      if (classic.length > 0) {
        connection.await(made.async().subscribe(classic));
      }
      // One at a time: in a cluster, each on its own slot's primary.
      for (byte[] channel : watchedChannels(true)) {
        madeShards.subscribe(Bytes.utf8(channel));
      }
    } catch (RedisException e) {
      made.closeAsync();
      throw new StateUnavailableException(
          "cannot subscribe to the redis store at " + connection.address() + ": " + e.getMessage(),
          e);
    }
    made.addListener(
        new RedisPubSubAdapter<byte[], byte[]>() {
          @Override
          public void message(byte[] channel, byte[] message) {
            deliver(Bytes.utf8(channel), Bytes.utf8(message));
          }

          @Override
          public void smessage(byte[] channel, byte[] message) {
            deliver(Bytes.utf8(channel), Bytes.utf8(message));
          }

          @Override
          public void sunsubscribed(byte[] channel, long count) {
            madeShards.unsubscribed(Bytes.utf8(channel));
          }
        });
    made.addListener(new Reconnects(made, madeShards));
    pubSub = made;
    shards = madeShards;
    startHeartbeat();
    return made;
  }

  /** Tells watchers to resynchronise when the connection they hear through comes back. */
  private final class Reconnects implements RedisConnectionStateListener {
    private final StatefulRedisPubSubConnection<byte[], byte[]> subscriber;
    private final ShardSubscriptions sharded;
    private volatile boolean lost;

    Reconnects(
        StatefulRedisPubSubConnection<byte[], byte[]> subscriber, ShardSubscriptions sharded) {
      this.subscriber = subscriber;
      this.sharded = sharded;
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
      if (!lost && isCurrent(subscriber)) {
        lost = true;
        feedLostAll();
      }
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
      if (lost && isCurrent(subscriber)) {
        lost = false;
        // Lettuce subscribes the channels again on a reconnected connection by itself, but
        // asynchronously: watchers told to resynchronise before that took effect could cache a
        // change made in between and never hear of it. So the channels are subscribed once more,
        // and awaited (off the I/O thread), before they are told.
        dispatcher.execute(
            () -> {
              byte[][] channels = watchedChannels(false);
              try {
                if (channels.length > 0) {
                  connection.await(subscriber.async().subscribe(channels));
                }
                // One server's sharded channels are on this connection too.
                sharded.resubscribeOnWatch();
              } catch (RedisException e) {
                // Lost again meanwhile: the next reconnect resynchronises.
                log.debug("Could not subscribe again after a reconnect", e);
                lost = true;
                return;
              }
              resyncAll("Reconnected the watch connection");
            });
      }
    }
  }

  /** The channels with watchers, sharded or classic ones. */
  private byte[][] watchedChannels(boolean sharded) {
    List<byte[]> channels = new ArrayList<>();
    watchers.forEach(
        (channel, list) -> {
          if (!list.isEmpty() && keys.sharded(channel) == sharded) {
            channels.add(Bytes.utf8(channel));
          }
        });
    return channels.toArray(new byte[0][]);
  }

  /** Tells every watcher its feed is down: changes are not announced until it resynchronises. */
  private void feedLostAll() {
    dispatcher.execute(
        () ->
            watchers.forEach(
                (channel, list) -> {
                  for (WatchListener listener : list) {
                    try {
                      listener.onFeedLost();
                    } catch (RuntimeException e) {
                      log.warn("A watcher of {} failed on losing its feed", channel, e);
                    }
                  }
                }));
  }

  private boolean isCurrent(StatefulRedisPubSubConnection<byte[], byte[]> subscriber) {
    synchronized (pubSubLock) {
      return pubSub == subscriber;
    }
  }

  private void startHeartbeat() {
    if (heartbeat != null) {
      return;
    }
    heartbeat =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("brownout-redis-keepalive"));
    long period = keepalive.toMillis();
    heartbeat.scheduleWithFixedDelay(this::probe, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * Pings the watch connection, and replaces it if it does not answer within the timeout; makes one
   * if an earlier replacement failed.
   */
  private void probe() {
    StatefulRedisPubSubConnection<byte[], byte[]> current;
    ShardSubscriptions sharded;
    synchronized (pubSubLock) {
      if (closed || watchers.values().stream().allMatch(List::isEmpty)) {
        return;
      }
      current = pubSub;
      sharded = shards;
    }
    if (current != null) {
      try {
        connection.await(current.async().ping());
        String lost = sharded == null ? null : sharded.check();
        if (lost == null) {
          disconnectedSince = 0;
          outage.recovered();
          return;
        }
        // Its watchers were told their feed is lost when it was found lost.
        outage.failed("replacing it; watchers resynchronise once a new one answers", lost);
      } catch (RedisCommandTimeoutException e) {
        feedLostAll();
        outage.failed(
            "replacing it; watchers resynchronise once a new one answers",
            "no answer to a PING within " + connection.timeout());
      } catch (RedisException e) {
        // Disconnected: Lettuce is reconnecting it, and its watchers resynchronise then; unless it
        // keeps trying a node that is gone (a cluster node failed over), and a new connection,
        // made from the cluster's current view, is the way back.
        long now = System.nanoTime();
        if (disconnectedSince == 0) {
          disconnectedSince = now;
        }
        if (now - disconnectedSince < reconnectPatience.toNanos()) {
          return;
        }
        outage.failed(
            "replacing it; watchers resynchronise once a new one answers",
            "disconnected for more than " + reconnectPatience + ": " + e.getMessage());
      }
    }
    disconnectedSince = 0;
    synchronized (pubSubLock) {
      if (closed || pubSub != current) {
        return;
      }
      pubSub = null;
      shards = null;
      if (current != null) {
        current.closeAsync();
      }
      try {
        subscriber();
      } catch (StateUnavailableException e) {
        outage.failed("trying again every " + keepalive, e.getMessage());
        return;
      }
    }
    outage.recovered();
    resyncAll("Replaced the silent watch connection");
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

  private void resyncAll(String what) {
    log.info(
        "{} to the redis store at {}; telling watchers to resynchronise",
        what,
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

  /** Stops dispatching and probing; the store's client closes the pub/sub connection. */
  void close() {
    synchronized (pubSubLock) {
      closed = true;
      if (heartbeat != null) {
        heartbeat.shutdownNow();
      }
      // The connection's client closes it, with the store.
      pubSub = null;
      shards = null;
    }
    dispatcher.shutdown();
  }
}
