package dev.brownout.state.redis;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.state.ChangeEvent;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.RecordTooLargeException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.Watch;
import dev.brownout.state.WatchListener;
import dev.brownout.state.WriteResult;
import dev.brownout.state.spi.ChangeDelivery;
import dev.brownout.state.spi.RecordFields;
import dev.brownout.state.spi.StoreChecks;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger log = LoggerFactory.getLogger(RedisStateStore.class);
  private static final byte[] VERSION = ascii("_v");
  private static final byte[] EXPIRY = ascii("_e");
  private static final String FIELD_PREFIX = "f:";
  private static final byte[] NO_ORIGIN = ascii("-");

  private final RedisClient client;
  private volatile @Nullable StatefulRedisConnection<byte[], byte[]> connection;
  private final Object connecting = new Object();
  private final String prefix;
  private final Duration timeout;
  private final long maxRecordBytes;
  private final String address;
  private final Script updateScript;
  private final Script deleteScript;
  private final Script pruneScript;
  private final Object pubSubLock = new Object();
  private @Nullable StatefulRedisPubSubConnection<byte[], byte[]> pubSub;
  private final ConcurrentHashMap<String, CopyOnWriteArrayList<WatchListener>> watchers =
      new ConcurrentHashMap<>();
  private final ExecutorService dispatcher;
  private volatile boolean pubSubLost;

  /** A Lua script, loaded once by its SHA1 and reloaded on NOSCRIPT. */
  private static final class Script {
    final String source;
    volatile @Nullable String sha;

    Script(String resource) {
      try (InputStream in = RedisStateStore.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("missing script resource " + resource);
        }
        this.source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private RedisStateStore(Builder builder) {
    this.prefix = builder.resolvedPrefix();
    this.timeout = builder.settings.get(RedisConfig.TIMEOUT);
    this.maxRecordBytes = builder.maxRecordBytes;
    RedisURI uri = RedisURI.create(builder.resolvedUri());
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
    this.updateScript = new Script("update.lua");
    this.deleteScript = new Script("delete.lua");
    this.pruneScript = new Script("prune.lua");
    this.dispatcher =
        Executors.newSingleThreadExecutor(DaemonThreads.named("brownout-redis-watch"));
    if (!builder.lazy) {
      try {
        connection();
      } catch (StateUnavailableException e) {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        dispatcher.shutdown();
        throw e;
      }
    }
  }

  /**
   * The connection, made on first use if the store was built {@link Builder#connectLazily()
   * lazily}; once made, Lettuce keeps it and reconnects it by itself.
   */
  private StatefulRedisConnection<byte[], byte[]> connection() {
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

  // --- keys

  byte[] recordKey(Namespace namespace, String key) {
    String text =
        namespace.small()
            ? prefix + ":{" + namespace.name() + "}:r:" + key
            : prefix + ":" + namespace.name() + ":{" + key + "}";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private byte[] indexKey(Namespace namespace) {
    return (prefix + ":{" + namespace.name() + "}:index").getBytes(StandardCharsets.UTF_8);
  }

  private String channel(Namespace namespace) {
    return prefix + ":watch:" + namespace.name();
  }

  private byte[][] keys(Namespace namespace, String key) {
    return namespace.small()
        ? new byte[][] {recordKey(namespace, key), indexKey(namespace)}
        : new byte[][] {recordKey(namespace, key)};
  }

  // --- operations

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key) {
    StoreChecks.key(namespace, key);
    Map<byte[], byte[]> hash =
        call("read", namespace, key, () -> connection().sync().hgetall(recordKey(namespace, key)));
    return toRecord(key, hash);
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
    StoreChecks.key(namespace, key);
    StoreChecks.fields(fields);
    List<String> names = new ArrayList<>(fields);
    byte[][] wanted = new byte[names.size() + 2][];
    wanted[0] = VERSION;
    wanted[1] = EXPIRY;
    for (int i = 0; i < names.size(); i++) {
      wanted[i + 2] = utf8(FIELD_PREFIX + names.get(i));
    }
    List<KeyValue<byte[], byte[]>> values =
        call(
            "read",
            namespace,
            key,
            () -> connection().sync().hmget(recordKey(namespace, key), wanted));
    if (!values.get(0).hasValue()) {
      return Optional.empty();
    }
    Map<String, byte[]> selected = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      KeyValue<byte[], byte[]> value = values.get(i + 2);
      if (value.hasValue()) {
        selected.put(names.get(i), value.getValue());
      }
    }
    long version = Long.parseLong(ascii(values.get(0).getValue()));
    Instant expiresAt =
        values.get(1).hasValue()
            ? Instant.ofEpochMilli(Long.parseLong(ascii(values.get(1).getValue())))
            : null;
    return Optional.of(new StateRecord(key, RecordFields.adopt(selected), version, expiresAt));
  }

  private static Optional<StateRecord> toRecord(String key, Map<byte[], byte[]> hash) {
    if (hash == null || hash.isEmpty()) {
      return Optional.empty();
    }
    long version = -1;
    Instant expiresAt = null;
    Map<String, byte[]> fields = new LinkedHashMap<>();
    for (Map.Entry<byte[], byte[]> entry : hash.entrySet()) {
      String name = new String(entry.getKey(), StandardCharsets.UTF_8);
      if (name.startsWith(FIELD_PREFIX)) {
        fields.put(name.substring(FIELD_PREFIX.length()), entry.getValue());
      } else if (name.equals("_v")) {
        version = Long.parseLong(ascii(entry.getValue()));
      } else if (name.equals("_e")) {
        expiresAt = Instant.ofEpochMilli(Long.parseLong(ascii(entry.getValue())));
      }
    }
    return version < 0
        ? Optional.empty()
        : Optional.of(new StateRecord(key, RecordFields.adopt(fields), version, expiresAt));
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
    List<byte[]> args = new ArrayList<>();
    Precondition precondition = update.precondition();
    args.add(ascii(preconditionCode(precondition)));
    args.add(ascii(Long.toString(precondition.version())));
    args.add(
        ascii(
            switch (update.expiryChange()) {
              case KEEP -> "k";
              case SET -> "s";
              case PERSIST -> "p";
            }));
    byte[] expiry =
        ascii(update.expiresAt() == null ? "0" : Long.toString(update.expiresAt().toEpochMilli()));
    args.add(expiry);
    args.add(ascii(Long.toString(maxRecordBytes)));
    args.add(utf8(namespace.watchable() ? channel(namespace) : ""));
    args.add(utf8(key));
    args.add(ascii(Integer.toString(update.sets().size())));
    args.add(ascii(Integer.toString(update.removes().size())));
    args.add(update.origin() == null ? NO_ORIGIN : ascii(update.origin()));
    // The hash field names, for the script's one read of their old sizes; then the same names
    // paired with their values, ready for its one HSET (see update.lua).
    List<byte[]> setNames = new ArrayList<>(update.sets().size());
    for (String name : update.sets().keySet()) {
      byte[] field = utf8(FIELD_PREFIX + name);
      setNames.add(field);
      args.add(field);
    }
    for (String name : update.removes()) {
      args.add(utf8(FIELD_PREFIX + name));
    }
    int i = 0;
    for (byte[] value : update.sets().values()) {
      args.add(setNames.get(i++));
      args.add(value);
    }
    if (update.expiryChange() == Update.ExpiryChange.SET) {
      args.add(ascii("_e"));
      args.add(expiry);
    }
    List<Object> reply =
        run(
            updateScript,
            "update",
            namespace,
            key,
            keys(namespace, key),
            args.toArray(new byte[0][]));
    long status = (Long) reply.get(0);
    if (status == 0) {
      long current = (Long) reply.get(1);
      throw new PreconditionFailedException(
          StoreChecks.preconditionMessage(namespace, key, precondition, current), current);
    }
    if (status < 0) {
      long size = (Long) reply.get(1);
      throw new RecordTooLargeException(
          StoreChecks.tooLargeMessage(namespace, key, size, maxRecordBytes), size, maxRecordBytes);
    }
    return new WriteResult((Long) reply.get(1), (Long) reply.get(2) == 1L);
  }

  @Override
  public boolean delete(Namespace namespace, String key, Precondition precondition) {
    StoreChecks.key(namespace, key);
    StoreChecks.deletePrecondition(precondition);
    byte[][] args = {
      ascii(preconditionCode(precondition)),
      ascii(Long.toString(precondition.version())),
      utf8(namespace.watchable() ? channel(namespace) : ""),
      utf8(key)
    };
    List<Object> reply = run(deleteScript, "delete", namespace, key, keys(namespace, key), args);
    if ((Long) reply.get(0) == 0L) {
      long current = (Long) reply.get(1);
      throw new PreconditionFailedException(
          StoreChecks.preconditionMessage(namespace, key, precondition, current), current);
    }
    return (Long) reply.get(1) == 1L;
  }

  @Override
  public List<StateRecord> list(Namespace namespace) {
    StoreChecks.listable(namespace);
    Set<byte[]> members =
        call("list", namespace, "*", () -> connection().sync().smembers(indexKey(namespace)));
    List<String> keys = new ArrayList<>();
    List<RedisFuture<Map<byte[], byte[]>>> hashes = new ArrayList<>();
    for (byte[] member : members) {
      String key = new String(member, StandardCharsets.UTF_8);
      keys.add(key);
      hashes.add(connection().async().hgetall(recordKey(namespace, key)));
    }
    List<StateRecord> records = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      RedisFuture<Map<byte[], byte[]>> future = hashes.get(i);
      String key = keys.get(i);
      Map<byte[], byte[]> hash = call("list", namespace, key, () -> await(future));
      Optional<StateRecord> record = toRecord(key, hash);
      if (record.isPresent()) {
        records.add(record.get());
      } else {
        run(
            pruneScript,
            "list",
            namespace,
            key,
            new byte[][] {recordKey(namespace, key), indexKey(namespace)},
            new byte[][] {utf8(key)});
      }
    }
    return records;
  }

  private <T> T await(RedisFuture<T> future) {
    try {
      if (!future.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new io.lettuce.core.RedisCommandTimeoutException("no answer within " + timeout);
      }
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RedisException redis ? redis : new RedisException(e.getCause());
    }
  }

  private static String preconditionCode(Precondition precondition) {
    return switch (precondition.kind()) {
      case NONE -> "n";
      case ABSENT -> "a";
      case PRESENT -> "p";
      case VERSION_EQUALS -> "v";
    };
  }

  private List<Object> run(
      Script script,
      String operation,
      Namespace namespace,
      String key,
      byte[][] keys,
      byte[][] args) {
    return call(
        operation,
        namespace,
        key,
        () -> {
          RedisCommands<byte[], byte[]> sync = connection().sync();
          String sha = script.sha;
          if (sha == null) {
            sha = load(script, sync);
          }
          try {
            return sync.evalsha(sha, ScriptOutputType.MULTI, keys, args);
          } catch (RedisNoScriptException e) {
            // The server restarted or its script cache was flushed: load it again, once.
            return sync.evalsha(load(script, sync), ScriptOutputType.MULTI, keys, args);
          }
        });
  }

  private static String load(Script script, RedisCommands<byte[], byte[]> sync) {
    String sha = sync.scriptLoad(script.source.getBytes(StandardCharsets.UTF_8));
    script.sha = sha;
    return sha;
  }

  private <T> T call(String operation, Namespace namespace, String key, Supplier<T> command) {
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

  // --- watching

  @Override
  public Watch watch(Namespace namespace, WatchListener listener) {
    StoreChecks.watchable(namespace);
    Objects.requireNonNull(listener, "listener");
    StatefulRedisPubSubConnection<byte[], byte[]> connection = pubSub();
    String channel = channel(namespace);
    CopyOnWriteArrayList<WatchListener> list =
        watchers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>());
    synchronized (list) {
      if (list.isEmpty()) {
        call(
            "watch",
            namespace,
            "*",
            () -> {
              connection.sync().subscribe(utf8(channel));
              return null;
            });
      }
      list.add(listener);
    }
    return () -> {
      synchronized (list) {
        if (list.remove(listener) && list.isEmpty()) {
          try {
            connection.sync().unsubscribe(utf8(channel));
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
        StatefulRedisPubSubConnection<byte[], byte[]> connected =
            call(
                "watch",
                Namespace.small("watch"),
                "*",
                () -> client.connectPubSub(ByteArrayCodec.INSTANCE));
        connected.setTimeout(timeout);
        connected.addListener(
            new RedisPubSubAdapter<byte[], byte[]>() {
              @Override
              public void message(byte[] channel, byte[] message) {
                deliver(
                    new String(channel, StandardCharsets.UTF_8),
                    new String(message, StandardCharsets.UTF_8));
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
                  RedisChannelHandler<?, ?> handler, java.net.SocketAddress address) {
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
    String namespace = channel.substring((prefix + ":watch:").length());
    ChangeEvent event =
        new ChangeEvent(
            namespace, message.substring(third + 1), version, origin.equals("-") ? null : origin);
    ChangeDelivery.deliver(list, event, dispatcher);
  }

  private void resyncAll() {
    log.info("Reconnected to the redis store at {}; telling watchers to resynchronise", address);
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

  @Override
  public void close() {
    dispatcher.shutdown();
    synchronized (pubSubLock) {
      if (pubSub != null) {
        pubSub.closeAsync();
      }
    }
    StatefulRedisConnection<byte[], byte[]> current = connection;
    if (current != null) {
      current.closeAsync();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  @Override
  public String toString() {
    return "RedisStateStore[" + address + ", prefix " + prefix + "]";
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static String ascii(byte[] bytes) {
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
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
