package dev.brownout.state.redis;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link StateStore} on Redis, through Lettuce.
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
 *       same script that makes them.
 * </ul>
 *
 * <p>A read is one command ({@code HGETALL} or {@code HMGET}); an update or a delete is one {@code
 * EVALSHA}. Scripts are loaded once and reloaded if the server lost them. Every call is bounded by
 * the timeout; while the connection is down, calls fail at once with {@link
 * StateUnavailableException} rather than queueing, and Lettuce reconnects in the background. After
 * a reconnect, watchers are told to resynchronise.
 */
public final class RedisStateStore implements StateStore {
  // The store checks arguments and hands the work to its collaborators: RedisKeys names keys and
  // channels, RecordHash reads records back, RecordScripts runs the writes, RedisConnection owns
  // the connection and its failures, RedisWatchers the pub/sub watching.
  private final RedisKeys keys;
  private final long maxRecordBytes;
  private final RedisConnection connection;
  private final RecordScripts scripts;
  private final RedisWatchers watchers;

  private RedisStateStore(Builder builder) {
    this.keys = new RedisKeys(builder.resolvedPrefix());
    Duration timeout = builder.settings.get(RedisConfig.TIMEOUT);
    this.maxRecordBytes = builder.maxRecordBytes;
    this.connection = new RedisConnection(builder.resolvedUri(), timeout);
    this.scripts = new RecordScripts(connection, keys, maxRecordBytes);
    this.watchers = new RedisWatchers(connection, keys);
    if (!builder.lazy) {
      try {
        connection.connect();
      } catch (StateUnavailableException e) {
        connection.abandon();
        watchers.close();
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
    Map<byte[], byte[]> hash =
        connection.call(
            "read", namespace, key, () -> connection.sync().hgetall(keys.record(namespace, key)));
    return RecordHash.fromHash(key, hash);
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
    StoreChecks.key(namespace, key);
    StoreChecks.fields(fields);
    List<String> names = new ArrayList<>(fields);
    byte[][] wanted = RecordHash.selection(names);
    List<KeyValue<byte[], byte[]>> values =
        connection.call(
            "read",
            namespace,
            key,
            () -> connection.sync().hmget(keys.record(namespace, key), wanted));
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
    Set<byte[]> members =
        connection.call(
            "list", namespace, "*", () -> connection.sync().smembers(keys.index(namespace)));
    List<String> names = new ArrayList<>();
    // Every hash is asked for before any answer is awaited: one round trip, not one per record.
    List<RedisFuture<Map<byte[], byte[]>>> hashes = new ArrayList<>();
    for (byte[] member : members) {
      String key = Bytes.utf8(member);
      names.add(key);
      hashes.add(connection.async().hgetall(keys.record(namespace, key)));
    }
    List<StateRecord> records = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      RedisFuture<Map<byte[], byte[]>> future = hashes.get(i);
      String key = names.get(i);
      Map<byte[], byte[]> hash =
          connection.call("list", namespace, key, () -> connection.await(future));
      Optional<StateRecord> record = RecordHash.fromHash(key, hash);
      if (record.isPresent()) {
        records.add(record.get());
      } else {
        scripts.prune(namespace, key);
      }
    }
    return records;
  }

  @Override
  public Watch watch(Namespace namespace, WatchListener listener) {
    StoreChecks.watchable(namespace);
    Objects.requireNonNull(listener, "listener");
    return watchers.watch(namespace, listener);
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

    private Builder() {}

    /**
     * The server, {@code redis://host:port} ({@code brownout.state.redis.uri}). Default {@code
     * redis://127.0.0.1:6379}.
     */
    public Builder uri(URI uri) {
      settings.set(RedisConfig.URI_KEY, checkUri(uri));
      return this;
    }

    /** The server, {@code redis://host:port}. */
    public Builder uri(String uri) {
      return uri(URI.create(uri));
    }

    /** How long any call may take ({@code brownout.state.redis.timeout}). Default 2 seconds. */
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
      String scheme = Objects.requireNonNull(uri, "uri").getScheme();
      if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
        throw new IllegalArgumentException(
            "a redis URI must start with redis:// or rediss:// but was " + scheme + "://…");
      }
      return uri;
    }

    private static String checkPrefix(String prefix) {
      if (prefix.isBlank() || prefix.contains("{") || prefix.contains("}")) {
        throw new IllegalArgumentException(
            "key prefix must be non-blank and contain no braces but was '" + prefix + "'");
      }
      return prefix;
    }

    URI resolvedUri() {
      try {
        return checkUri(settings.get(RedisConfig.URI_KEY));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            RedisConfig.URI_KEY.name()
                + " (from "
                + settings.origin(RedisConfig.URI_KEY)
                + "): "
                + e.getMessage(),
            e);
      }
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
     * Connects.
     *
     * @throws StateUnavailableException if the server cannot be reached within the timeout
     */
    public RedisStateStore build() {
      return new RedisStateStore(this);
    }
  }
}
