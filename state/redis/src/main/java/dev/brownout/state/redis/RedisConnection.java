package dev.brownout.state.redis;

import dev.brownout.core.internal.OutageLog;
import dev.brownout.state.Namespace;
import dev.brownout.state.StateUnavailableException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisReadOnlyException;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import io.lettuce.core.protocol.ConnectionIntent;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's Lettuce client and connections, for one server, a cluster, or a primary behind
 * sentinels, and the one place a Lettuce failure becomes a {@link StateUnavailableException} naming
 * Redis, the operation and the timeout.
 *
 * <p>Time is bounded in every failure shape:
 *
 * <ul>
 *   <li><b>Connecting</b> is one attempt at a time, shared: callers that arrive while it runs wait
 *       for it, each at most the timeout, instead of queueing behind a lock one timeout each. A
 *       failed attempt is not awaited again; the next caller starts a new one.
 *   <li><b>Once connected</b>, Lettuce keeps the connection and reconnects it by itself. While it
 *       is down, commands are rejected rather than queued: a call fails at once.
 *   <li><b>A silent connection</b> (a hung server, a partition, a half-open connection whose peer
 *       is gone) lets a call time out without answering anything since: it is dropped then, and the
 *       next call connects anew, instead of every call timing out on it for ever. TCP keepalive
 *       (and TCP_USER_TIMEOUT where a native transport allows) finds idle dead connections too.
 *   <li><b>After a failover</b>, a write that a demoted primary refuses ({@code READONLY}) drops
 *       the connection too, so the next call finds the new primary.
 * </ul>
 */
final class RedisConnection {
  // The store's logger, not this class's: the store is what operators set log levels for.
  private static final Logger log = LoggerFactory.getLogger(RedisStateStore.class);

  private final RedisEndpoint endpoint;
  private final Duration timeout;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final OutageLog outage;
  private final SharedConnect primary;
  private final SharedConnect replicaReads;
  private volatile long lastWarmUp = System.nanoTime();
  private final RedisConfig.PubSub pubSub;
  // Whether small namespaces' changes go over sharded pub/sub: decided at the first connect, and
  // kept for the store's life, so its writes and its watches never disagree.
  private volatile @Nullable Boolean sharded;

  RedisConnection(
      RedisEndpoint endpoint, Duration timeout, Duration keepalive, RedisConfig.PubSub pubSub) {
    this.endpoint = endpoint;
    this.timeout = timeout;
    this.pubSub = pubSub;
    // Reconnect soon after an outage ends: Lettuce's default backoff grows to 30 seconds.
    this.resources =
        ClientResources.builder()
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(5), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
            .build();
    SocketOptions socket = socketOptions(timeout, keepalive);
    if (endpoint.mode() == RedisEndpoint.Mode.CLUSTER) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, endpoint.seeds());
      ClusterClientOptions.Builder options =
          ClusterClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
              .socketOptions(socket)
              .topologyRefreshOptions(
                  ClusterTopologyRefreshOptions.builder()
                      // Every adaptive trigger is on by default (MOVED, ASK, reconnect storms,
                      // an uncovered slot, an unknown node): refresh the slot map at once, at most
                      // once a second; a periodic refresh finds what no command ran into.
                      .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                      .refreshTriggersReconnectAttempts(2)
                      .enablePeriodicRefresh(Duration.ofSeconds(10))
                      .build());
      endpoint.sslOptions().ifPresent(options::sslOptions);
      cluster.setOptions(options.build());
      this.client = cluster;
    } else {
      RedisClient single = RedisClient.create(resources);
      ClientOptions.Builder options =
          ClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
              .socketOptions(socket);
      endpoint.sslOptions().ifPresent(options::sslOptions);
      single.setOptions(options.build());
      this.client = single;
    }
    this.outage = new OutageLog(log, "Redis store at " + endpoint.address());
    this.primary = new SharedConnect("connect to", () -> connectAsync(null));
    this.replicaReads =
        new SharedConnect(
            "connect for replica reads to", () -> connectAsync(ReadFrom.REPLICA_PREFERRED));
  }

  static SocketOptions socketOptions(Duration timeout, Duration keepalive) {
    // TCP counts keepalive times in whole seconds.
    Duration idle =
        keepalive.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : keepalive;
    Duration interval =
        idle.dividedBy(3).compareTo(Duration.ofSeconds(1)) < 0
            ? Duration.ofSeconds(1)
            : idle.dividedBy(3);
    SocketOptions.Builder socket =
        SocketOptions.builder()
            .connectTimeout(timeout)
            .keepAlive(
                SocketOptions.KeepAliveOptions.builder()
                    .enable()
                    .idle(idle)
                    .interval(interval)
                    .count(3)
                    .build());
    // TCP_USER_TIMEOUT bounds how long sent data may go unacknowledged, which keepalive does not
    // (it only probes idle connections); the JDK's NIO cannot set it, Netty's native ones can.
    if (EpollProvider.isAvailable() || IOUringProvider.isAvailable()) {
      socket.tcpUserTimeout(
          SocketOptions.TcpUserTimeoutOptions.builder()
              .enable()
              .tcpUserTimeout(idle.multipliedBy(2))
              .build());
    }
    return socket.build();
  }

  /** Where Redis is, for messages: no credentials. */
  String address() {
    return endpoint.address();
  }

  RedisEndpoint.Mode mode() {
    return endpoint.mode();
  }

  Duration timeout() {
    return timeout;
  }

  /**
   * Connects now, if not connected yet.
   *
   * @throws StateUnavailableException if Redis cannot be reached within the timeout
   */
  void connect() {
    primary.get();
  }

  /**
   * Whether the changes of {@code namespace} go over sharded pub/sub ({@link RedisConfig#PUBSUB}):
   * only a small namespace's can, its records being in one slot; decided when the store first
   * connects, which this does if it has not yet.
   *
   * @throws StateUnavailableException if Redis cannot be reached within the timeout
   */
  boolean shardedPubSub(Namespace namespace) {
    if (!namespace.small()) {
      return false;
    }
    Boolean decided = sharded;
    if (decided == null) {
      connect();
      decided = sharded;
    }
    return Boolean.TRUE.equals(decided);
  }

  /**
   * Decides {@link #shardedPubSub} on the first connection made, from {@link RedisConfig#PUBSUB}
   * and the oldest Redis version among the primaries; a connection that cannot decide it is closed.
   */
  private CompletableFuture<StatefulConnection<byte[], byte[]>> decidePubSub(
      StatefulConnection<byte[], byte[]> connection) {
    if (sharded != null
        || pubSub == RedisConfig.PubSub.CLASSIC
        || (pubSub == RedisConfig.PubSub.AUTO && endpoint.mode() != RedisEndpoint.Mode.CLUSTER)) {
      if (sharded == null) {
        sharded = false;
      }
      return CompletableFuture.completedFuture(connection);
    }
    return oldestVersion(connection)
        .handle(
            (oldest, error) -> {
              if (error != null || (pubSub == RedisConfig.PubSub.SHARDED && oldest.major() < 7)) {
                connection.closeAsync();
                throw new CompletionException(
                    error != null
                        ? error
                        : new RedisException(
                            RedisConfig.PUBSUB.name()
                                + " is sharded, which needs Redis 7 or later, but "
                                + oldest
                                + "; set it to auto or classic, or upgrade Redis"));
              }
              boolean decided = oldest.major() >= 7;
              sharded = decided;
              log.info(
                  "Redis store at {}: change notifications over {} pub/sub ({} is the oldest"
                      + " primary)",
                  endpoint.address(),
                  decided ? "sharded" : "classic",
                  oldest);
              return connection;
            });
  }

  /** A primary's Redis version, from {@code INFO server}, and where it runs. */
  record ServerVersion(int major, String version, String node) {
    static ServerVersion parse(String info, String node) {
      for (String line : info.split("\\r?\\n")) {
        if (line.startsWith("redis_version:")) {
          String version = line.substring("redis_version:".length()).trim();
          int dot = version.indexOf('.');
          try {
            return new ServerVersion(
                Integer.parseInt(dot < 0 ? version : version.substring(0, dot)), version, node);
          } catch (NumberFormatException e) {
            return new ServerVersion(0, version, node);
          }
        }
      }
      return new ServerVersion(0, "unknown", node);
    }

    @Override
    public String toString() {
      return node + " runs Redis " + version;
    }
  }

  /**
   * The oldest Redis version among the primaries {@code connection} reaches (every one of them).
   */
  private CompletableFuture<ServerVersion> oldestVersion(
      StatefulConnection<byte[], byte[]> connection) {
    List<CompletableFuture<ServerVersion>> versions = new ArrayList<>();
    if (connection instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster) {
      for (RedisClusterNode node : cluster.getPartitions()) {
        if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)
            && !node.is(RedisClusterNode.NodeFlag.FAIL)) {
          String host = node.getUri().getHost();
          int port = node.getUri().getPort();
          versions.add(
              cluster
                  .getConnectionAsync(host, port, ConnectionIntent.WRITE)
                  .thenCompose(own -> own.async().info("server").toCompletableFuture())
                  .thenApply(info -> ServerVersion.parse(info, host + ":" + port)));
        }
      }
    } else {
      versions.add(
          ((StatefulRedisConnection<byte[], byte[]>) connection)
              .async()
              .info("server")
              .toCompletableFuture()
              .thenApply(info -> ServerVersion.parse(info, endpoint.address())));
    }
    if (versions.isEmpty()) {
      return CompletableFuture.failedFuture(
          new RedisException("the cluster has no live primary to ask for its Redis version"));
    }
    return CompletableFuture.allOf(versions.toArray(new CompletableFuture<?>[0]))
        .thenApply(
            ignored ->
                versions.stream()
                    .map(CompletableFuture::join)
                    .min(Comparator.comparingInt(ServerVersion::major))
                    .orElseThrow());
  }

  /**
   * Runs {@code command} on the connection, translating a Lettuce failure into a {@link
   * StateUnavailableException}.
   */
  <T> T call(String operation, Namespace namespace, String key, Function<Connected, T> command) {
    return call(primary, operation, namespace, key, command);
  }

  /**
   * Like {@link #call}, on a connection whose reads may be served by replicas (a cluster's or a
   * sentinel's; one server has none, so its reads stay on it).
   */
  <T> T callReplicaReads(
      String operation, Namespace namespace, String key, Function<Connected, T> command) {
    return call(
        endpoint.mode() == RedisEndpoint.Mode.STANDALONE ? primary : replicaReads,
        operation,
        namespace,
        key,
        command);
  }

  private <T> T call(
      SharedConnect shared,
      String operation,
      Namespace namespace,
      String key,
      Function<Connected, T> command) {
    Connected connected;
    try {
      connected = shared.get();
    } catch (StateUnavailableException e) {
      throw new StateUnavailableException(
          failure(operation, namespace, key, e.getMessage()), e.getCause());
    }
    try {
      T result = command.apply(connected);
      connected.answered();
      outage.recovered();
      return result;
    } catch (RedisException e) {
      warmUpAfterFailure(connected);
      if (e instanceof RedisCommandTimeoutException && connected.silentFor(timeout)) {
        shared.drop(connected, "no answer within " + timeout);
      } else if (e instanceof RedisReadOnlyException) {
        shared.drop(connected, "it is a replica now (failover): " + e.getMessage());
      }
      throw new StateUnavailableException(failure(operation, namespace, key, e.getMessage()), e);
    }
  }

  /**
   * Runs {@code command}, on a connection of the caller's (the watchers'), translating a Lettuce
   * failure as {@link #call} does.
   */
  <T> T translating(String operation, Namespace namespace, String key, Supplier<T> command) {
    try {
      return command.get();
    } catch (RedisException e) {
      throw new StateUnavailableException(failure(operation, namespace, key, e.getMessage()), e);
    }
  }

  private String failure(String operation, Namespace namespace, String key, String reason) {
    return "redis store at "
        + endpoint.address()
        + " failed to "
        + operation
        + " "
        + namespace
        + "/"
        + key
        + " within "
        + timeout
        + ": "
        + reason;
  }

  /**
   * The commands of the primary that holds {@code key}: the connection itself for one server or a
   * sentinel's primary, that node's own connection in a cluster, where a command that must follow
   * another on the same connection ({@code WAIT} after a write) cannot go through the cluster's
   * routing.
   */
  RedisClusterCommands<byte[], byte[]> primaryOf(Connected connected, byte[] key) {
    if (!(connected.connection instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster)) {
      return connected.sync;
    }
    RedisClusterNode node = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(key));
    if (node == null) {
      throw new RedisException("no primary serves slot " + SlotHash.getSlot(key) + " yet");
    }
    StatefulRedisConnection<byte[], byte[]> own = cluster.getConnection(node.getNodeId());
    return own.sync();
  }

  /**
   * The result of a command sent asynchronously, within the timeout; its failure as a Lettuce
   * exception, for {@link #call} to translate.
   */
  <T> T await(RedisFuture<T> future) {
    try {
      if (!future.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        // Lettuce's own per-command timer is off (it costs a scheduled task per command); the
        // command given up on is cancelled here, as the synchronous API cancels its own.
        future.cancel(true);
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

  /**
   * A new pub/sub connection, made asynchronously: subscribing puts a connection in a mode where it
   * can run no other command, so watching needs one of its own. In a cluster, a message published
   * with classic pub/sub on any node reaches subscribers on every node, so one connection to any
   * node hears them all; a sharded channel is heard on the nodes of its slot's shard only, through
   * the connection to its primary that this one opens ({@code getConnectionAsync}).
   */
  CompletableFuture<StatefulRedisPubSubConnection<byte[], byte[]>> connectPubSubAsync() {
    CompletableFuture<? extends StatefulRedisPubSubConnection<byte[], byte[]>> future =
        client instanceof RedisClusterClient cluster
            ? topology(cluster)
                .thenCompose(ignored -> cluster.connectPubSubAsync(ByteArrayCodec.INSTANCE))
            : ((RedisClient) client)
                .connectPubSubAsync(ByteArrayCodec.INSTANCE, endpoint.uri())
                .toCompletableFuture();
    return future.thenApply(
        connected -> {
          connected.setTimeout(timeout);
          return connected;
        });
  }

  /** {@link #connectPubSubAsync()}, waited for within the timeout. */
  StatefulRedisPubSubConnection<byte[], byte[]> connectPubSub() {
    return within(connectPubSubAsync(), "connect to watch");
  }

  /**
   * The result of {@code future} (such as a cluster pub/sub connection's connection to a node)
   * within the timeout; its failure as a Lettuce exception, as {@link #await(RedisFuture)}.
   */
  <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new RedisCommandTimeoutException("no answer within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisException("interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RedisException redis ? redis : new RedisException(e.getCause());
    }
  }

  private <T> T within(CompletableFuture<T> future, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.whenComplete(
          (late, error) -> {
            if (late instanceof StatefulConnection<?, ?> connection) {
              connection.closeAsync();
            }
          });
      throw new StateUnavailableException(
          "cannot " + what + " the redis store at " + endpoint.address() + " within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateUnavailableException("interrupted connecting to " + endpoint.address(), e);
    } catch (ExecutionException e) {
      throw new StateUnavailableException(
          "cannot "
              + what
              + " the redis store at "
              + endpoint.address()
              + ": "
              + message(e.getCause()),
          e.getCause());
    }
  }

  private static String message(@Nullable Throwable error) {
    if (error == null) {
      return "unknown error";
    }
    Throwable cause = error.getCause();
    return cause != null
            && cause.getMessage() != null
            && !cause.getMessage().equals(error.getMessage())
        ? error.getMessage() + " (" + cause.getMessage() + ")"
        : String.valueOf(error.getMessage());
  }

  private CompletableFuture<Connected> connectAsync(@Nullable ReadFrom readFrom) {
    CompletableFuture<? extends StatefulConnection<byte[], byte[]>> future;
    if (client instanceof RedisClusterClient cluster) {
      future =
          topology(cluster)
              .thenCompose(ignored -> cluster.connectAsync(ByteArrayCodec.INSTANCE))
              .thenCompose(
                  connection -> {
                    if (readFrom != null) {
                      connection.setReadFrom(readFrom);
                    }
                    return warmUp(connection, readFrom != null).thenApply(ignored -> connection);
                  });
    } else if (endpoint.mode() == RedisEndpoint.Mode.SENTINEL) {
      // Master/replica through the sentinels: writes follow the primary as sentinels promote
      // another; reads too unless replica reads were asked for.
      CompletableFuture<StatefulRedisMasterReplicaConnection<byte[], byte[]>> masterReplica =
          MasterReplica.connectAsync((RedisClient) client, ByteArrayCodec.INSTANCE, endpoint.uri());
      future =
          masterReplica.thenApply(
              connection -> {
                connection.setReadFrom(readFrom == null ? ReadFrom.UPSTREAM : readFrom);
                return connection;
              });
    } else {
      future =
          ((RedisClient) client)
              .connectAsync(ByteArrayCodec.INSTANCE, endpoint.uri())
              .toCompletableFuture();
    }
    CompletableFuture<StatefulConnection<byte[], byte[]>> made =
        future.thenApply(connection -> connection);
    if (readFrom == null) {
      // The primary's connection, which the writes that publish changes go through.
      made = made.thenCompose(this::decidePubSub);
    }
    return made.thenApply(
        connection -> {
          connection.setTimeout(timeout);
          return new Connected(connection);
        });
  }

  /**
   * The cluster's slot map, fetched from the seeds: an asynchronous connect needs it loaded first
   * (the blocking one loads it itself). Each connect fetches it anew, so a connect after a failover
   * starts from the cluster as it is.
   */
  private static CompletableFuture<Void> topology(RedisClusterClient cluster) {
    return cluster.refreshPartitionsAsync().toCompletableFuture();
  }

  /**
   * Opens the cluster connection's connections to every primary (and replica, for replica reads)
   * now. Lettuce opens them on a node's first command otherwise, and with commands rejected while
   * disconnected, that first command fails instead of waiting. A node that cannot be reached is
   * left for later: the cluster may be failing it over.
   */
  private static CompletableFuture<Void> warmUp(
      StatefulRedisClusterConnection<byte[], byte[]> connection, boolean replicas) {
    List<CompletableFuture<?>> opening = new ArrayList<>();
    for (RedisClusterNode node : connection.getPartitions()) {
      if (node.is(RedisClusterNode.NodeFlag.FAIL)) {
        continue;
      }
      // Commands are routed to connections by address and intent: writes, and reads (a
      // primary's too), each have their own.
      if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
        opening.add(open(connection, node, ConnectionIntent.WRITE));
        opening.add(open(connection, node, ConnectionIntent.READ));
      } else if (replicas) {
        opening.add(open(connection, node, ConnectionIntent.READ));
      }
    }
    return CompletableFuture.allOf(opening.toArray(new CompletableFuture<?>[0]));
  }

  private static CompletableFuture<?> open(
      StatefulRedisClusterConnection<byte[], byte[]> connection,
      RedisClusterNode node,
      ConnectionIntent intent) {
    return connection
        .getConnectionAsync(node.getUri().getHost(), node.getUri().getPort(), intent)
        .handle((opened, error) -> opened);
  }

  /**
   * After a failed call on a cluster, refreshes the slot map and opens connections to primaries
   * that have none yet (a replica just promoted, a node back from a restart), at most once a
   * second, without waiting.
   */
  private void warmUpAfterFailure(Connected connected) {
    if (connected.connection instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster
        && client instanceof RedisClusterClient clusterClient) {
      long now = System.nanoTime();
      long last = lastWarmUp;
      if (now - last > TimeUnit.SECONDS.toNanos(1)) {
        lastWarmUp = now;
        // The slot map first: a write sent straight to a primary's own connection (WAIT) meets a
        // MOVED that the cluster's routing, which would refresh it, never sees.
        clusterClient
            .refreshPartitionsAsync()
            .whenComplete(
                (done, error) -> warmUp(cluster, cluster.getReadFrom() != ReadFrom.UPSTREAM));
      }
    }
  }

  /**
   * Releases the client of a store whose construction failed, without waiting: the failure is
   * reported within the timeout, and the threads wind down behind it.
   */
  void abandon() {
    primary.close();
    replicaReads.close();
    client
        .shutdownAsync(0, 2, TimeUnit.SECONDS)
        .whenComplete((done, error) -> resources.shutdown(0, 2, TimeUnit.SECONDS));
  }

  void close() {
    // The client closes every connection it made; closing them here too would warn of each twice.
    primary.close();
    replicaReads.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  /** One open connection, its commands, and when it last answered. */
  static final class Connected {
    final StatefulConnection<byte[], byte[]> connection;
    final RedisClusterCommands<byte[], byte[]> sync;
    final RedisClusterAsyncCommands<byte[], byte[]> async;
    private volatile long lastAnswer = System.nanoTime();

    Connected(StatefulConnection<byte[], byte[]> connection) {
      this.connection = connection;
      if (connection instanceof StatefulRedisClusterConnection<byte[], byte[]> cluster) {
        this.sync = cluster.sync();
        this.async = cluster.async();
      } else {
        StatefulRedisConnection<byte[], byte[]> single =
            (StatefulRedisConnection<byte[], byte[]>) connection;
        this.sync = single.sync();
        this.async = single.async();
      }
    }

    void answered() {
      lastAnswer = System.nanoTime();
    }

    /** Whether nothing on this connection has answered for {@code timeout}. */
    boolean silentFor(Duration timeout) {
      return System.nanoTime() - lastAnswer >= timeout.toNanos();
    }
  }

  /**
   * One connection made on first use and shared: one attempt at a time, which every caller that
   * arrives meanwhile waits for, each up to the timeout.
   */
  private final class SharedConnect {
    private final String what;
    private final Supplier<CompletableFuture<Connected>> connector;
    private volatile @Nullable Connected connected;
    private @Nullable CompletableFuture<Connected> attempt;
    private long attemptStarted;
    private boolean closed;

    SharedConnect(String what, Supplier<CompletableFuture<Connected>> connector) {
      this.what = what;
      this.connector = connector;
    }

    Connected get() {
      Connected current = connected;
      if (current != null) {
        return current;
      }
      CompletableFuture<Connected> pending;
      synchronized (this) {
        if (connected != null) {
          return connected;
        }
        if (closed) {
          throw new StateUnavailableException("the redis store is closed", null);
        }
        // A failed attempt is not waited for again; one that outlived twice the timeout is
        // abandoned (Lettuce bounds its own, so this is a backstop).
        if (attempt == null
            || attempt.isCompletedExceptionally()
            || System.nanoTime() - attemptStarted > timeout.toNanos() * 2) {
          attemptStarted = System.nanoTime();
          attempt = start();
        }
        pending = attempt;
      }
      return within(pending, what);
    }

    private CompletableFuture<Connected> start() {
      CompletableFuture<Connected> started;
      try {
        started = connector.get();
      } catch (RuntimeException e) {
        started = CompletableFuture.failedFuture(e);
      }
      return started.thenApply(
          made -> {
            synchronized (this) {
              if (closed || connected != null) {
                made.connection.closeAsync();
                if (closed) {
                  throw new StateUnavailableException("the redis store is closed", null);
                }
                return connected;
              }
              connected = made;
              attempt = null;
            }
            return made;
          });
    }

    /** Gives up {@code dead}, so the next call connects anew. */
    void drop(Connected dead, String reason) {
      synchronized (this) {
        if (connected != dead) {
          return;
        }
        connected = null;
      }
      dead.connection.closeAsync();
      outage.failed("dropping the connection and connecting anew", reason);
    }

    void close() {
      synchronized (this) {
        closed = true;
        connected = null;
      }
    }
  }
}
