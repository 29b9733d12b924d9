package dev.brownout.state.redis;

import static dev.brownout.state.redis.Bytes.ascii;
import static dev.brownout.state.redis.Bytes.utf8;

import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.RecordTooLargeException;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import dev.brownout.state.spi.StoreChecks;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The store's writes, each one Lua script: the arguments laid out as {@code update.lua}, {@code
 * delete.lua} and {@code prune.lua} read them, and each script's reply turned into a result or a
 * typed failure. A script is atomic, so the precondition, the size check, the index and the change
 * message cannot disagree with the write.
 */
final class RecordScripts {
  private static final byte[] NO_ORIGIN = ascii("-");
  private static final byte[] NO_CHANNEL = utf8("");
  private static final byte[] SPUBLISH = ascii("s");
  private static final byte[] PUBLISH = ascii("p");
  // Where update.lua and delete.lua read the channel and the publish command.
  private static final int UPDATE_CHANNEL = 5;
  private static final int UPDATE_PUBLISH = 10;
  private static final int DELETE_CHANNEL = 2;
  private static final int DELETE_PUBLISH = 4;

  private final RedisConnection connection;
  private final RedisKeys keys;
  private final long maxRecordBytes;
  private final Durability durability;
  private final LuaScript updateScript = new LuaScript("update.lua");
  private final LuaScript deleteScript = new LuaScript("delete.lua");
  private final LuaScript pruneScript = new LuaScript("prune.lua");

  /**
   * Which writes wait for replicas ({@code WAIT}) before they are reported done, and how long.
   *
   * @param replicas 0 for none
   */
  record Durability(int replicas, Duration timeout, RedisConfig.DurableNamespaces namespaces) {
    static Durability none() {
      return new Durability(0, Duration.ZERO, RedisConfig.DurableNamespaces.SMALL);
    }

    boolean appliesTo(Namespace namespace) {
      return replicas > 0 && (namespaces == RedisConfig.DurableNamespaces.ALL || namespace.small());
    }
  }

  RecordScripts(
      RedisConnection connection, RedisKeys keys, long maxRecordBytes, Durability durability) {
    this.connection = connection;
    this.keys = keys;
    this.maxRecordBytes = maxRecordBytes;
    this.durability = durability;
  }

  /** Applies {@code update}, already checked against the limit as far as the client can tell. */
  WriteResult update(Namespace namespace, String key, Update update) {
    List<Object> reply =
        run(
            updateScript,
            "update",
            namespace,
            key,
            keys.scriptKeys(namespace, key),
            updateArguments(namespace, key, update),
            UPDATE_CHANNEL,
            UPDATE_PUBLISH);
    long status = (Long) reply.get(0);
    if (status == 0) {
      long current = (Long) reply.get(1);
      throw new PreconditionFailedException(
          StoreChecks.preconditionMessage(namespace, key, update.precondition(), current), current);
    }
    if (status < 0) {
      long size = (Long) reply.get(1);
      throw new RecordTooLargeException(
          StoreChecks.tooLargeMessage(namespace, key, size, maxRecordBytes), size, maxRecordBytes);
    }
    return new WriteResult((Long) reply.get(1), (Long) reply.get(2) == 1L);
  }

  private byte[][] updateArguments(Namespace namespace, String key, Update update) {
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
    args.add(NO_CHANNEL); // the channel and its command, set once connected: see publishOn
    args.add(utf8(key));
    args.add(ascii(Integer.toString(update.sets().size())));
    args.add(ascii(Integer.toString(update.removes().size())));
    args.add(update.origin() == null ? NO_ORIGIN : ascii(update.origin()));
    args.add(PUBLISH);
    // The hash field names, for the script's one read of their old sizes; then the same names
    // paired with their values, ready for its one HSET (see update.lua).
    List<byte[]> setNames = new ArrayList<>(update.sets().size());
    for (String name : update.sets().keySet()) {
      byte[] field = RecordHash.field(name);
      setNames.add(field);
      args.add(field);
    }
    for (String name : update.removes()) {
      args.add(RecordHash.field(name));
    }
    int i = 0;
    for (byte[] value : update.sets().values()) {
      args.add(setNames.get(i++));
      args.add(value);
    }
    if (update.expiryChange() == Update.ExpiryChange.SET) {
      args.add(RecordHash.EXPIRY);
      args.add(expiry);
    }
    return args.toArray(new byte[0][]);
  }

  /** Deletes the record if {@code precondition} holds; whether there was one. */
  boolean delete(Namespace namespace, String key, Precondition precondition) {
    byte[][] args = {
      ascii(preconditionCode(precondition)),
      ascii(Long.toString(precondition.version())),
      NO_CHANNEL,
      utf8(key),
      PUBLISH
    };
    List<Object> reply =
        run(
            deleteScript,
            "delete",
            namespace,
            key,
            keys.scriptKeys(namespace, key),
            args,
            DELETE_CHANNEL,
            DELETE_PUBLISH);
    if ((Long) reply.get(0) == 0L) {
      long current = (Long) reply.get(1);
      throw new PreconditionFailedException(
          StoreChecks.preconditionMessage(namespace, key, precondition, current), current);
    }
    return (Long) reply.get(1) == 1L;
  }

  /**
   * Drops the index entry of a record that a list found gone: Redis expired the hash, but only a
   * write removes an index entry. The script leaves the entry if the record was created again.
   */
  void prune(Namespace namespace, String key) {
    run(
        pruneScript,
        "list",
        namespace,
        key,
        new byte[][] {keys.record(namespace, key), keys.index(namespace)},
        new byte[][] {utf8(key)},
        -1,
        -1);
  }

  /**
   * Puts the channel a watchable namespace's change is published on, and the command to publish it
   * with, into a script's arguments: sharded pub/sub or classic, as the store decided when it
   * connected (so this runs once connected).
   */
  private void publishOn(byte[][] args, int channelAt, int publishAt, Namespace namespace) {
    if (channelAt < 0 || !namespace.watchable()) {
      return;
    }
    boolean sharded = connection.shardedPubSub(namespace);
    args[channelAt] = utf8(keys.channel(namespace, sharded));
    args[publishAt] = sharded ? SPUBLISH : PUBLISH;
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
      LuaScript script,
      String operation,
      Namespace namespace,
      String key,
      byte[][] scriptKeys,
      byte[][] args,
      int channelAt,
      int publishAt) {
    if (operation.equals("list") || !durability.appliesTo(namespace)) {
      return connection.call(
          operation,
          namespace,
          key,
          connected -> {
            publishOn(args, channelAt, publishAt, namespace);
            return script.run(connected.sync, scriptKeys, args);
          });
    }
    return connection.call(
        operation,
        namespace,
        key,
        connected -> {
          publishOn(args, channelAt, publishAt, namespace);
          // WAIT counts the replicas that have every write made before it on its connection, so
          // it follows the script on the same connection: the primary's own, in a cluster.
          RedisClusterCommands<byte[], byte[]> primary =
              connection.primaryOf(connected, scriptKeys[0]);
          List<Object> reply = script.run(primary, scriptKeys, args);
          if (wrote(operation, reply)) {
            long acknowledged =
                primary.waitForReplication(durability.replicas(), durability.timeout().toMillis());
            if (acknowledged < durability.replicas()) {
              throw new StateUnavailableException(
                  "redis store at "
                      + connection.address()
                      + " made the "
                      + operation
                      + " of "
                      + namespace
                      + "/"
                      + key
                      + " on the primary, but only "
                      + acknowledged
                      + " of the "
                      + durability.replicas()
                      + " replicas that "
                      + RedisConfig.DURABILITY_REPLICAS.name()
                      + " asks for had it within "
                      + durability.timeout()
                      + ": a failover now could lose it",
                  null);
            }
          }
          return reply;
        });
  }

  /** Whether a script's reply says it changed the record (and so has something to replicate). */
  private static boolean wrote(String operation, List<Object> reply) {
    long status = (Long) reply.get(0);
    return operation.equals("delete") ? status == 1 && (Long) reply.get(1) == 1L : status == 1;
  }
}
