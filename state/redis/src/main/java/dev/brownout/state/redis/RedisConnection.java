package dev.brownout.state.redis;

import dev.brownout.state.Namespace;
import dev.brownout.state.StateUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The store's Lettuce client and command connection to one Redis server, and the one place a
 * Lettuce failure becomes a {@link StateUnavailableException} naming the server, the operation and
 * the timeout.
 *
 * <p>The connection is made on first use unless the store connects at once; once made, Lettuce
 * keeps it and reconnects it by itself. While it is down, commands are rejected rather than queued:
 * a call fails at once, and the caller's degraded mode applies without waiting for the server.
 */
final class RedisConnection {
  private final RedisClient client;
  private final String address;
  private final Duration timeout;
  private final Object connecting = new Object();
  private volatile @Nullable StatefulRedisConnection<byte[], byte[]> connection;

  RedisConnection(URI server, Duration timeout) {
    this.timeout = timeout;
    RedisURI uri = RedisURI.create(server);
    uri.setTimeout(timeout);
    this.address = uri.getHost() + ":" + uri.getPort();
    this.client = RedisClient.create(uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
            .build());
  }

  /** The server, as {@code host:port}. */
  String address() {
    return address;
  }

  /**
   * The connection, made now if it has not been yet.
   *
   * @throws StateUnavailableException if the server cannot be reached
   */
  StatefulRedisConnection<byte[], byte[]> connect() {
    StatefulRedisConnection<byte[], byte[]> current = connection;
    if (current != null) {
      return current;
    }
    synchronized (connecting) {
      if (connection == null) {
        try {
          StatefulRedisConnection<byte[], byte[]> connected =
              client.connect(ByteArrayCodec.INSTANCE);
          connected.setTimeout(timeout);
          connection = connected;
        } catch (RedisException e) {
          throw new StateUnavailableException(
              "cannot connect to the redis store at " + address + ": " + e.getMessage(), e);
        }
      }
      return connection;
    }
  }

  RedisCommands<byte[], byte[]> sync() {
    return connect().sync();
  }

  RedisAsyncCommands<byte[], byte[]> async() {
    return connect().async();
  }

  /**
   * A new pub/sub connection: subscribing puts a connection in a mode where it can run no other
   * command, so watching needs one of its own.
   */
  StatefulRedisPubSubConnection<byte[], byte[]> connectPubSub() {
    StatefulRedisPubSubConnection<byte[], byte[]> connected =
        call(
            "watch",
            Namespace.small("watch"),
            "*",
            () -> client.connectPubSub(ByteArrayCodec.INSTANCE));
    connected.setTimeout(timeout);
    return connected;
  }

  /**
   * Runs {@code command}, translating a Lettuce failure into a {@link StateUnavailableException}.
   */
  <T> T call(String operation, Namespace namespace, String key, Supplier<T> command) {
    try {
      return command.get();
    } catch (RedisException e) {
      throw new StateUnavailableException(
          "redis store at "
              + address
              + " failed to "
              + operation
              + " "
              + namespace
              + "/"
              + key
              + " within "
              + timeout
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * The result of a command sent asynchronously, within the timeout; its failure as a Lettuce
   * exception, for {@link #call} to translate.
   */
  <T> T await(RedisFuture<T> future) {
    try {
      if (!future.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new RedisCommandTimeoutException("no answer within " + timeout);
      }
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisException("interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RedisException redis ? redis : new RedisException(e.getCause());
    }
  }

  /** Releases the client of a store whose construction failed. */
  void abandon() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
  }

  void close() {
    StatefulRedisConnection<byte[], byte[]> current = connection;
    if (current != null) {
      current.closeAsync();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
