package dev.brownout.state.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis server for tests, on a free loopback port: the {@code redis-server} on the PATH if
 * there is one, else the binary bundled in the embedded-redis artifact. It can be stopped and
 * started again on the same port, and reports command counts from {@code INFO commandstats}.
 */
final class RedisTestServer implements AutoCloseable {
  private final int port;
  private RedisServer server;

  RedisTestServer() {
    this.port = freePort();
    start();
  }

  int port() {
    return port;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  void start() {
    try {
      server =
          RedisServer.newRedisServer()
              .executableProvider(executable())
              .bind("127.0.0.1")
              .port(port)
              .setting("save \"\"")
              .setting("appendonly no")
              .setting("protected-mode no")
              .build();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void stop() {
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
  Map<String, Long> commandCounts() {
    RedisClient client = RedisClient.create(uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.setTimeout(Duration.ofSeconds(5));
      Map<String, Long> counts = new HashMap<>();
      for (String line : connection.sync().info("commandstats").split("\r?\n")) {
        if (line.startsWith("cmdstat_")) {
          String name = line.substring("cmdstat_".length(), line.indexOf(':'));
          String calls = line.substring(line.indexOf("calls=") + 6);
          counts.put(name, Long.parseLong(calls.substring(0, calls.indexOf(','))));
        }
      }
      return counts;
    } finally {
      client.shutdown();
    }
  }

  /** Resets {@code INFO commandstats}. */
  void resetCommandCounts() {
    RedisClient client = RedisClient.create(uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().configResetstat();
    } finally {
      client.shutdown();
    }
  }

  private static ExecutableProvider executable() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File candidate = new File(dir, "redis-server");
      if (candidate.canExecute()) {
        return () -> candidate;
      }
    }
    return ExecutableProvider.newJarResourceProvider();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
