package dev.brownout.state.testservers;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis server for tests, on a free loopback port, of the binary {@link
 * RedisProcess#binary()} chooses (the one bundled in the embedded-redis artifact unless {@code
 * BROWNOUT_REDIS_BINARY} names another). It can be stopped and started again on the same port, and
 * reports command counts from {@code INFO commandstats}.
 *
 * <p>{@link #durable()} starts one that writes every command to an append-only file before it
 * answers ({@code appendfsync always}), so what it acknowledged survives a restart.
 */
public final class RedisTestServer implements AutoCloseable {
  private final int port;
  private final Path dataDir;
  private RedisServer server;

  private RedisTestServer(Path dataDir) {
    this.port = freePort();
    this.dataDir = dataDir;
    start();
  }

  /** A server that keeps nothing on disk. */
  public RedisTestServer() {
    this(null);
  }

  /** A server that persists every acknowledged write, so a restart loses nothing. */
  public static RedisTestServer durable() {
    try {
      return new RedisTestServer(Files.createTempDirectory("brownout-redis"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The port. */
  public int port() {
    return port;
  }

  /** The {@code redis://} URI. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server (again). */
  public void start() {
    try {
      var builder =
          RedisServer.newRedisServer()
              .executableProvider(executable())
              .bind("127.0.0.1")
              .port(port)
              .setting("save \"\"")
              .setting("protected-mode no");
      if (dataDir == null) {
        builder.setting("appendonly no");
      } else {
        builder.setting("dir " + dataDir).setting("appendonly yes").setting("appendfsync always");
      }
      server = builder.build();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the server. */
  public void stop() {
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** {@code INFO commandstats} as command name to call count. */
  public Map<String, Long> commandCounts() {
    Map<String, Long> counts = new HashMap<>();
    for (String line : info("commandstats")) {
      if (line.startsWith("cmdstat_")) {
        String name = line.substring("cmdstat_".length(), line.indexOf(':'));
        String calls = line.substring(line.indexOf("calls=") + 6);
        counts.put(name, Long.parseLong(calls.substring(0, calls.indexOf(','))));
      }
    }
    return counts;
  }

  /** The CPU time the server has used, user and system, in seconds ({@code INFO cpu}). */
  public double cpuSeconds() {
    double seconds = 0;
    for (String line : info("cpu")) {
      if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
        seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return seconds;
  }

  /** The lines of one {@code INFO} section, over a connection of its own. */
  private String[] info(String section) {
    RedisClient client = RedisClient.create(uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.setTimeout(Duration.ofSeconds(5));
      return connection.sync().info(section).split("\r?\n");
    } finally {
      client.shutdown();
    }
  }

  /**
   * The commands between two {@link #commandCounts()} snapshots, without the ones a client sends to
   * connect or the counting itself sends ({@code info}, {@code hello}, {@code client}).
   */
  public static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> delta = new HashMap<>();
    after.forEach(
        (command, calls) -> {
          long change = calls - before.getOrDefault(command, 0L);
          if (change > 0
              && !command.equals("info")
              && !command.equals("hello")
              && !command.equals("client")) {
            delta.put(command, change);
          }
        });
    return delta;
  }

  /**
   * The commands Brownout's Redis scripts run inside their one {@code EVALSHA}. The server counts
   * them too; {@link #sentByClient} leaves them out to count what a client sent.
   */
  public static final java.util.Set<String> SCRIPT_COMMANDS =
      java.util.Set.of(
          "hdel",
          "hexists",
          "hget",
          "hmget",
          "hincrby",
          "hset",
          "hstrlen",
          "persist",
          "pexpireat",
          "publish",
          "spublish",
          "sadd",
          "time",
          "del",
          "srem",
          "exists");

  /** {@link #delta} without {@link #SCRIPT_COMMANDS}: what a Brownout client itself sent. */
  public static Map<String, Long> sentByClient(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> sent = new java.util.TreeMap<>(delta(before, after));
    sent.keySet().removeAll(SCRIPT_COMMANDS);
    return sent;
  }

  /** Resets {@code INFO commandstats}. */
  public void resetCommandCounts() {
    RedisClient client = RedisClient.create(uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().configResetstat();
    } finally {
      client.shutdown();
    }
  }

  private static ExecutableProvider executable() {
    File binary = RedisProcess.binary();
    return () -> binary;
  }

  /** A free loopback port, for a server a test starts itself. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
