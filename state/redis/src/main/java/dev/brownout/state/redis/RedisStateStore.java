package dev.brownout.state.redis;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.Settings;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.ForwardingStateStore;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.RecordTooLargeException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.Watch;
import dev.brownout.state.WatchListener;
import dev.brownout.state.WriteResult;
import dev.brownout.state.spi.StoreChecks;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A {@link StateStore} on Redis, through Lettuce: one server ({@code redis://}), a Redis Cluster
 * ({@code redis-cluster://}) or a primary behind Sentinel ({@code redis-sentinel://}), in plain
 * text or TLS ({@code rediss…}), with ACL credentials.
 *
 * <p>Layout (prefix {@code brownout} by default):
 *
 * <ul>
 *   <li>a record of a small namespace {@code flags} is the hash {@code brownout:{flags}:r:<key>},
 *       and the namespace's index the set {@code brownout:{flags}:index}: the hash tag {@code
 *       {flags}} keeps a small namespace in one cluster slot so one script can update record and
 *       index;
 *   <li>a record of a large namespace {@code sessions} is the hash {@code
 *       brownout:sessions:{<key>}}: tagged by its own key, so large namespaces spread across a
 *       cluster;
 *   <li>in each hash, {@code _v} is the version, {@code _s} the size, {@code _e} the expiry (epoch
 *       milliseconds, also set with {@code PEXPIREAT}), and {@code f:<name>} each field;
 *   <li>changes of a watchable namespace are published on {@code brownout:watch:<namespace>} by the
 *       same script that makes them; a cluster broadcasts them to every node. On a cluster of Redis
 *       7 (or as {@link RedisConfig#PUBSUB} says), a small namespace's go over sharded pub/sub
 *       instead, on {@code brownout:{<namespace>}:watch}, in the slot of its records: only the
 *       nodes of that slot's shard carry them.
 * </ul>
 *
 * <p>A read is one command ({@code HGETALL} or {@code HMGET}) on the primary; {@link
 * #replicaReads()} is a view whose reads replicas may answer. An update or a delete is one {@code
 * EVALSHA}, followed by {@code WAIT} when {@code brownout.state.redis.durability.replicas} asks for
 * replicas. Every call is bounded by the timeout, whatever fails (see {@link RedisConfig#KEEPALIVE}
 * and the state guide); while the connection is down, calls fail at once with {@link
 * StateUnavailableException} rather than queueing, and Lettuce reconnects in the background,
 * following a cluster's topology and a sentinel's promotions. After a reconnect, watchers are told
 * to resynchronise.
 */
public final class RedisStateStore implements StateStore {
  // The store checks arguments and hands the work to its collaborators: RedisKeys names keys and
  // channels, RecordHash reads records back, RecordScripts runs the writes (and their WAIT),
  // RedisEndpoint reads where Redis is, RedisConnection owns the client, its connections and their
  // failures, RedisWatchers the pub/sub watching and its heartbeat.
  private final RedisKeys keys;
  private final long maxRecordBytes;
  private final RedisConnection connection;
  private final RecordScripts scripts;
  private final RedisWatchers watchers;
  private final ReplicaReads replicaReads;

  private RedisStateStore(Builder builder) {
    this.keys = new RedisKeys(builder.resolvedPrefix());
    Duration timeout = builder.settings.get(RedisConfig.TIMEOUT);
    Duration keepalive = builder.settings.get(RedisConfig.KEEPALIVE);
    this.maxRecordBytes = builder.maxRecordBytes;
    RecordScripts.Durability durability = builder.resolvedDurability(timeout);
    this.connection =
        new RedisConnection(
            builder.resolvedEndpoint(timeout),
            timeout,
            keepalive,
            builder.settings.get(RedisConfig.PUBSUB));
    this.scripts = new RecordScripts(connection, keys, maxRecordBytes, durability);
    this.watchers = new RedisWatchers(connection, keys, keepalive, builder.metrics);
    this.replicaReads = new ReplicaReads(this);
    if (!builder.lazy) {
      try {
        connection.connect();
      } catch (StateUnavailableException e) {
        watchers.close();
        connection.abandon();
        throw e;
      }
    }
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Connects as {@code brownout.state.redis.*} configures it.
   *
   * @throws StateUnavailableException if the server cannot be reached
   */
  public static RedisStateStore connect(BrownoutConfig config) {
    return builder().config(config).build();
  }

  @Override
  public String kind() {
    return "redis";
  }

  @Override
  public long maxRecordBytes() {
    return maxRecordBytes;
  }

  /** The hash that holds a record; tests check the layout with it. */
  byte[] recordKey(Namespace namespace, String key) {
    return keys.record(namespace, key);
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key) {
    StoreChecks.key(namespace, key);
    return readRecord(false, namespace, key);
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
    StoreChecks.key(namespace, key);
    StoreChecks.fields(fields);
    return readFields(false, namespace, key, fields);
  }

  private <T> T call(
      boolean fromReplicas,
      String operation,
      Namespace namespace,
      String key,
      Function<RedisConnection.Connected, T> command) {
    return fromReplicas
        ? connection.callReplicaReads(operation, namespace, key, command)
        : connection.call(operation, namespace, key, command);
  }

  private Optional<StateRecord> readRecord(boolean fromReplicas, Namespace namespace, String key) {
    Map<byte[], byte[]> hash =
        call(
            fromReplicas,
            "read",
            namespace,
            key,
            connected -> connected.sync.hgetall(keys.record(namespace, key)));
    return RecordHash.fromHash(key, hash);
  }

  private Optional<StateRecord> readFields(
      boolean fromReplicas, Namespace namespace, String key, Set<String> fields) {
    List<String> names = new ArrayList<>(fields);
    byte[][] wanted = RecordHash.selection(names);
    List<KeyValue<byte[], byte[]>> values =
        call(
            fromReplicas,
            "read",
            namespace,
            key,
            connected -> connected.sync.hmget(keys.record(namespace, key), wanted));
    return RecordHash.fromSelection(key, names, values);
  }

  @Override
  public WriteResult update(Namespace namespace, String key, Update update) {
    StoreChecks.key(namespace, key);
    Objects.requireNonNull(update, "update");
    if (update.size() > maxRecordBytes) {
      throw new RecordTooLargeException(
          StoreChecks.tooLargeMessage(namespace, key, update.size(), maxRecordBytes),
          update.size(),
          maxRecordBytes);
    }
    return scripts.update(namespace, key, update);
  }

  @Override
  public boolean delete(Namespace namespace, String key, Precondition precondition) {
    StoreChecks.key(namespace, key);
    StoreChecks.deletePrecondition(precondition);
    return scripts.delete(namespace, key, precondition);
  }

  @Override
  public List<StateRecord> list(Namespace namespace) {
    StoreChecks.listable(namespace);
    return listRecords(false, namespace);
  }

  private List<StateRecord> listRecords(boolean fromReplicas, Namespace namespace) {
    // Every hash is asked for before any answer is awaited: one round trip, not one per record.
    // The index and the records share a slot, so in a cluster they are all on one node.
    Map<String, Map<byte[], byte[]>> hashes =
        call(
            fromReplicas,
            "list",
            namespace,
            "*",
            connected -> {
              Set<byte[]> members = connected.sync.smembers(keys.index(namespace));
              Map<String, RedisFuture<Map<byte[], byte[]>>> futures = new LinkedHashMap<>();
              for (byte[] member : members) {
                String key = Bytes.utf8(member);
                futures.put(key, connected.async.hgetall(keys.record(namespace, key)));
              }
              Map<String, Map<byte[], byte[]>> answers = new LinkedHashMap<>();
              futures.forEach((key, future) -> answers.put(key, connection.await(future)));
              return answers;
            });
    List<StateRecord> records = new ArrayList<>();
    hashes.forEach(
        (key, hash) -> {
          Optional<StateRecord> record = RecordHash.fromHash(key, hash);
          if (record.isPresent()) {
            records.add(record.get());
          } else if (!fromReplicas) {
            // A replica may be behind; only the primary's answer says the record is gone.
            scripts.prune(namespace, key);
          }
        });
    return records;
  }

  @Override
  public Watch watch(Namespace namespace, WatchListener listener) {
    StoreChecks.watchable(namespace);
    Objects.requireNonNull(listener, "listener");
    return watchers.watch(namespace, listener);
  }

  /**
   * A view of this store whose reads ({@code read} and {@code list}) may be answered by a replica,
   * for callers that accept staleness to spare the primary: a replica is behind its primary by the
   * replication lag (usually milliseconds, unbounded while a replica resynchronises), so a read
   * there may not see a write this server just made. Writes, deletes and watches go to the primary
   * as on this store. A Cluster reads from its replicas, a Sentinel primary from the replicas the
   * sentinels know; one server has no replicas and answers every read itself. Closing the view does
   * nothing; close this store.
   */
  public StateStore replicaReads() {
    return replicaReads;
  }

  /** The store with reads from replicas; see {@link #replicaReads()}. */
  private static final class ReplicaReads extends ForwardingStateStore {
    private final RedisStateStore store;

    ReplicaReads(RedisStateStore store) {
      super(store);
      this.store = store;
    }

    @Override
    public Optional<StateRecord> read(Namespace namespace, String key) {
      StoreChecks.key(namespace, key);
      return store.readRecord(true, namespace, key);
    }

    @Override
    public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
      StoreChecks.key(namespace, key);
      StoreChecks.fields(fields);
      return store.readFields(true, namespace, key, fields);
    }

    @Override
    public List<StateRecord> list(Namespace namespace) {
      StoreChecks.listable(namespace);
      return store.listRecords(true, namespace);
    }

    @Override
    public void close() {
      // The view owns nothing.
    }

    @Override
    public String toString() {
      return store + " (replica reads)";
    }
  }

  @Override
  public void close() {
    watchers.close();
    connection.close();
  }

  @Override
  public String toString() {
    return "RedisStateStore[" + connection.address() + ", prefix " + keys.prefix() + "]";
  }

  /** Builds a {@link RedisStateStore}. Not thread-safe. */
  public static final class Builder {
    private final Settings settings = Settings.of(RedisConfig.keys());
    private long maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
    private boolean lazy;
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();

    private Builder() {}

    /**
     * Where Redis is ({@code brownout.state.redis.uri}): {@code redis://host:port[/database]} for
     * one server, {@code redis-cluster://host:port[,host:port…]} for a Redis Cluster (any of its
     * nodes, as seeds; the rest are found), {@code redis-sentinel://host:port[,host:port…]/name}
     * for the primary {@code name} that those sentinels watch; {@code rediss}, {@code
     * rediss-cluster} and {@code rediss-sentinel} for TLS. Default {@code redis://127.0.0.1:6379}.
     */
    public Builder uri(URI uri) {
      settings.set(RedisConfig.URI_KEY, checkUri(uri));
      return this;
    }

    /** Where Redis is, as {@link #uri(URI)} reads it. */
    public Builder uri(String uri) {
      return uri(URI.create(uri));
    }

    /**
     * How long any call may take, connecting included ({@code brownout.state.redis.timeout}).
     * Default 2 seconds.
     */
    public Builder timeout(Duration timeout) {
      settings.set(RedisConfig.TIMEOUT, timeout);
      return this;
    }

    /**
     * The prefix of every key and channel ({@code brownout.state.redis.key-prefix}). Default {@code
     * brownout}.
     */
    public Builder keyPrefix(String prefix) {
      settings.set(RedisConfig.KEY_PREFIX, checkPrefix(prefix));
      return this;
    }

    /**
     * The ACL user and its password ({@code brownout.state.redis.username}, {@code .password}),
     * instead of credentials in the URI; the password is never printed.
     */
    public Builder credentials(String username, String password) {
      settings.set(RedisConfig.USERNAME, username);
      settings.set(RedisConfig.PASSWORD, password);
      return this;
    }

    /**
     * The password of the default user, or of {@code requirepass} ({@code
     * brownout.state.redis.password}); never printed.
     */
    public Builder password(String password) {
      settings.set(RedisConfig.PASSWORD, password);
      return this;
    }

    /**
     * For {@code rediss}: the certificates to trust ({@code brownout.state.redis.truststore}), a
     * PEM file ({@code .pem}, {@code .crt}) or a PKCS12/JKS keystore. Default: the JVM's.
     */
    public Builder truststore(Path file) {
      settings.set(RedisConfig.TRUSTSTORE, file.toString());
      return this;
    }

    /** A truststore keystore file and its password; see {@link #truststore(Path)}. */
    public Builder truststore(Path file, String password) {
      settings.set(RedisConfig.TRUSTSTORE_PASSWORD, password);
      return truststore(file);
    }

    /**
     * For {@code rediss} to a server that checks clients: a PKCS12/JKS keystore with the client's
     * certificate and key ({@code brownout.state.redis.keystore}, {@code .keystore-password}).
     */
    public Builder keystore(Path file, String password) {
      settings.set(RedisConfig.KEYSTORE, file.toString());
      settings.set(RedisConfig.KEYSTORE_PASSWORD, password);
      return this;
    }

    /**
     * Whether a server's certificate must name the host connected to ({@code
     * brownout.state.redis.verify-hostname}). Default true.
     */
    public Builder verifyHostname(boolean verify) {
      settings.set(RedisConfig.VERIFY_HOSTNAME, verify);
      return this;
    }

    /**
     * How long a connection may be silent before it is probed ({@code
     * brownout.state.redis.keepalive}); see {@link RedisConfig#KEEPALIVE}. Default 15 seconds.
     */
    public Builder keepalive(Duration keepalive) {
      settings.set(RedisConfig.KEEPALIVE, keepalive);
      return this;
    }

    /**
     * Reports a write done only once {@code replicas} replicas have it, waiting at most {@code
     * timeout} ({@code brownout.state.redis.durability.replicas}, {@code .timeout}), for the small
     * namespaces unless {@link #durableNamespaces} says all. Default: no waiting.
     */
    public Builder durability(int replicas, Duration timeout) {
      settings.set(RedisConfig.DURABILITY_REPLICAS, replicas);
      settings.set(RedisConfig.DURABILITY_TIMEOUT, timeout);
      return this;
    }

    /**
     * Which writes {@link #durability} applies to ({@code
     * brownout.state.redis.durability.namespaces}). Default small namespaces.
     */
    public Builder durableNamespaces(RedisConfig.DurableNamespaces namespaces) {
      settings.set(RedisConfig.DURABILITY_NAMESPACES, namespaces);
      return this;
    }

    /**
     * Which pub/sub carries change notifications ({@code brownout.state.redis.pubsub}): sharded
     * pub/sub on a Redis 7 cluster and classic elsewhere ({@link RedisConfig.PubSub#AUTO}), or
     * either always; see {@link RedisConfig#PUBSUB}. Default auto.
     */
    public Builder pubSub(RedisConfig.PubSub pubSub) {
      settings.set(RedisConfig.PUBSUB, Objects.requireNonNull(pubSub, "pubSub"));
      return this;
    }

    /**
     * Where the store's own meters go: the buffer that hands changes to watchers ({@code
     * brownout.buffer.fill} and {@code brownout.buffer.dropped}, buffer {@code
     * brownout-redis-watch}; a drop makes its watchers resynchronise). Default: an in-memory
     * registry nobody reads.
     */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** Reads {@code brownout.state.redis.*} from {@code config}; values given to setters win. */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    /** The largest record accepted. Default {@value StateStore#DEFAULT_MAX_RECORD_BYTES}. */
    public Builder maxRecordBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxRecordBytes must be positive but was " + bytes);
      }
      this.maxRecordBytes = bytes;
      return this;
    }

    /**
     * Connects on first use instead of in {@link #build()}, so an application starts while Redis is
     * down: until it answers, every call fails with {@link StateUnavailableException} and the
     * caller's degraded mode applies. Without it, {@code build()} fails if Redis cannot be reached,
     * which catches a wrong address at startup.
     */
    public Builder connectLazily() {
      this.lazy = true;
      return this;
    }

    private static URI checkUri(URI uri) {
      RedisEndpoint.mode(Objects.requireNonNull(uri, "uri"));
      return uri;
    }

    private static String checkPrefix(String prefix) {
      if (prefix.isBlank() || prefix.contains("{") || prefix.contains("}")) {
        throw new IllegalArgumentException(
            "key prefix must be non-blank and contain no braces but was '" + prefix + "'");
      }
      return prefix;
    }

    RedisEndpoint resolvedEndpoint(Duration timeout) {
      URI uri = settings.get(RedisConfig.URI_KEY);
      for (ConfigKey<String> file : List.of(RedisConfig.TRUSTSTORE, RedisConfig.KEYSTORE)) {
        Optional<String> path = settings.find(file);
        if (path.isPresent() && !Files.isReadable(Path.of(path.get()))) {
          throw new IllegalArgumentException(
              settings.describe(file)
                  + ": no readable file there; give the path of a PEM file (.pem, .crt) or a"
                  + " PKCS12/JKS keystore");
        }
      }
      RedisEndpoint.Security security =
          new RedisEndpoint.Security(
              settings.find(RedisConfig.USERNAME).orElse(null),
              settings.find(RedisConfig.PASSWORD).orElse(null),
              settings.find(RedisConfig.TRUSTSTORE).orElse(null),
              settings.find(RedisConfig.TRUSTSTORE_PASSWORD).orElse(null),
              settings.find(RedisConfig.KEYSTORE).orElse(null),
              settings.find(RedisConfig.KEYSTORE_PASSWORD).orElse(null),
              settings.get(RedisConfig.VERIFY_HOSTNAME));
      try {
        return RedisEndpoint.parse(uri, security, timeout);
      } catch (IllegalArgumentException e) {
        // The URI may hold a password, so it is named, not shown.
        throw new IllegalArgumentException(
            RedisConfig.URI_KEY.name()
                + " (from "
                + settings.origin(RedisConfig.URI_KEY)
                + "): "
                + e.getMessage(),
            e);
      }
    }

    RecordScripts.Durability resolvedDurability(Duration timeout) {
      int replicas = settings.get(RedisConfig.DURABILITY_REPLICAS);
      Duration wait = settings.get(RedisConfig.DURABILITY_TIMEOUT);
      if (replicas > 0 && wait.compareTo(timeout) >= 0) {
        throw new IllegalArgumentException(
            settings.describe(RedisConfig.DURABILITY_TIMEOUT)
                + " must be shorter than "
                + settings.describe(RedisConfig.TIMEOUT)
                + ", which bounds the whole write; lower it or raise the timeout");
      }
      return replicas == 0
          ? RecordScripts.Durability.none()
          : new RecordScripts.Durability(
              replicas, wait, settings.get(RedisConfig.DURABILITY_NAMESPACES));
    }

    String resolvedPrefix() {
      try {
        return checkPrefix(settings.get(RedisConfig.KEY_PREFIX));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            settings.describe(RedisConfig.KEY_PREFIX) + ": " + e.getMessage(), e);
      }
    }

    /**
     * Connects, unless {@link #connectLazily()}.
     *
     * @throws StateUnavailableException if Redis cannot be reached within the timeout
     * @throws IllegalArgumentException naming the setting, if one is wrong
     */
    public RedisStateStore build() {
      return new RedisStateStore(this);
    }
  }
}
