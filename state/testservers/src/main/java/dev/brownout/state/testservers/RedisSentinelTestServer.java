package dev.brownout.state.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Redis primary with replicas, watched by three sentinels, for tests: {@code redis-server}
 * processes ({@link RedisProcess}) on free loopback ports, the replicas started with {@code
 * replicaof}, the sentinels with {@code --sentinel} and a quorum of two. A sentinel calls the
 * primary down after one second without an answer ({@code down-after-milliseconds 1000}), so a
 * killed primary's replica is promoted within a few seconds.
 *
 * <p>{@link #withProxies()} puts a {@link FaultProxy} in front of each data server and has the
 * sentinels know the servers by their proxies' addresses (the primary monitored there, each replica
 * announcing its own with {@code replica-announce-port}, and replicating through the primary's):
 * clients, which connect wherever the sentinels point them, then reach every data server through
 * its proxy, and breaking the network there cuts the primary off from clients, sentinels and
 * replicas alike. Its sentinels call a primary down only after 30 seconds, Redis's default, so a
 * fault a test makes and heals does not turn into a failover.
 *
 * <pre>{@code
 * try (RedisSentinelTestServer redis = RedisSentinelTestServer.start()) {
 *   StateStore store = RedisStateStore.builder().uri(redis.uri()).build();
 *   redis.killPrimary();   // a replica is promoted; the store follows
 * }
 * }</pre>
 */
public final class RedisSentinelTestServer implements AutoCloseable {
  /** The name the sentinels know the primary by. */
  public static final String PRIMARY_NAME = "brownout";

  private final Path root;
  private final List<RedisProcess> servers = new ArrayList<>();
  // The proxy in front of each server, in the same order; empty if not made withProxies().
  private final List<FaultProxy> proxies = new ArrayList<>();
  private final List<RedisProcess> sentinels = new ArrayList<>();

  private RedisSentinelTestServer(int replicas, boolean proxied, Duration downAfter) {
    try {
      this.root = Files.createTempDirectory("brownout-redis-sentinel");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i <= replicas; i++) {
        int port = RedisTestServer.freePort();
        ports.add(port);
        if (proxied) {
          proxies.add(FaultProxy.to(port));
        }
      }
      // Where the sentinels, the replicas and the clients reach the primary.
      int primaryAddress = proxied ? proxies.get(0).port() : ports.get(0);
      for (int i = 0; i <= replicas; i++) {
        int port = ports.get(i);
        List<String> config = data(i == 0 ? null : primaryAddress);
        if (proxied) {
          // Whichever server is a replica (after a failover, the old primary too) is announced,
          // to its primary and so to the sentinels, at its proxy.
          config.add("replica-announce-ip 127.0.0.1");
          config.add("replica-announce-port " + proxies.get(i).port());
        }
        servers.add(new RedisProcess(port, root.resolve("server-" + port), config));
      }
      for (int i = 0; i < 3; i++) {
        int port = RedisTestServer.freePort();
        List<String> config = new ArrayList<>();
        config.add("--sentinel");
        config.add("sentinel monitor " + PRIMARY_NAME + " 127.0.0.1 " + primaryAddress + " 2");
        config.add("sentinel down-after-milliseconds " + PRIMARY_NAME + " " + downAfter.toMillis());
        // A sentinel starts no new failover of a primary within twice this of the last one.
        config.add("sentinel failover-timeout " + PRIMARY_NAME + " 2000");
        config.add("sentinel parallel-syncs " + PRIMARY_NAME + " 1");
        sentinels.add(new RedisProcess(port, root.resolve("sentinel-" + port), config));
      }
      awaitHealthy();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  private static List<String> data(Integer primaryPort) {
    List<String> config = new ArrayList<>();
    config.add("save \"\"");
    config.add("appendonly no");
    config.add("protected-mode no");
    // A replica answers while it resynchronises, so a stale read is possible, never a hang.
    config.add("replica-serve-stale-data yes");
    if (primaryPort != null) {
      config.add("replicaof 127.0.0.1 " + primaryPort);
    }
    return config;
  }

  /** A primary with one replica, and three sentinels. */
  public static RedisSentinelTestServer start() {
    return new RedisSentinelTestServer(1, false, Duration.ofSeconds(1));
  }

  /** A primary with {@code replicas} replicas, and three sentinels. */
  public static RedisSentinelTestServer start(int replicas) {
    return new RedisSentinelTestServer(replicas, false, Duration.ofSeconds(1));
  }

  /**
   * A primary with one replica, each behind a {@link FaultProxy} that the sentinels know it by, and
   * three sentinels that call a primary down after 30 seconds; see the class comment.
   */
  public static RedisSentinelTestServer withProxies() {
    return new RedisSentinelTestServer(1, true, Duration.ofSeconds(30));
  }

  /**
   * The proxies in front of the data servers, in the order of {@link #servers()}, if made {@link
   * #withProxies()}; empty otherwise.
   */
  public List<FaultProxy> proxies() {
    return List.copyOf(proxies);
  }

  /** The port the sentinels, replicas and clients know {@code server} by: its proxy's, if any. */
  private int address(RedisProcess server) {
    return proxies.isEmpty() ? server.port() : proxies.get(servers.indexOf(server)).port();
  }

  /** {@code redis-sentinel://} with every sentinel and the primary's name. */
  public String uri() {
    StringBuilder uri = new StringBuilder("redis-sentinel://");
    for (int i = 0; i < sentinels.size(); i++) {
      uri.append(i == 0 ? "" : ",").append("127.0.0.1:").append(sentinels.get(i).port());
    }
    return uri.append('/').append(PRIMARY_NAME).toString();
  }

  /** The data servers, the first started as the primary. */
  public List<RedisProcess> servers() {
    return List.copyOf(servers);
  }

  /** The sentinels. */
  public List<RedisProcess> sentinels() {
    return List.copyOf(sentinels);
  }

  /** The server the sentinels call the primary now (as the first live sentinel answers). */
  public RedisProcess primary() {
    for (RedisProcess sentinel : sentinels) {
      if (sentinel.alive()) {
        int port = primaryPort(sentinel.port());
        return servers.stream()
            .filter(server -> address(server) == port)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no server on port " + port));
      }
    }
    throw new IllegalStateException("no sentinel is alive");
  }

  /** The replicas of the primary now. */
  public List<RedisProcess> replicas() {
    RedisProcess primary = primary();
    return servers.stream().filter(server -> server != primary).toList();
  }

  /** The primary's direct address, {@code redis://127.0.0.1:port}, without the sentinels. */
  public String primaryUri() {
    return "redis://127.0.0.1:" + primary().port();
  }

  /**
   * Kills the primary as a crash would, and returns it; start it again to have it rejoin as a
   * replica of the one promoted.
   */
  public RedisProcess killPrimary() {
    RedisProcess primary = primary();
    primary.kill();
    return primary;
  }

  /**
   * Waits until the sentinels agree on a live primary that no replica waits for, and every live
   * replica is in sync with it.
   */
  public void awaitHealthy() {
    try {
      awaitAgreement();
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; " + describe(), e);
    }
  }

  /** What each sentinel and server says now, for a failure message. */
  public String describe() {
    StringBuilder text = new StringBuilder();
    for (RedisProcess sentinel : sentinels) {
      text.append("sentinel ").append(sentinel.port()).append(": ");
      try {
        text.append(sentinel.alive() ? "primary on " + primaryPort(sentinel.port()) : "down");
      } catch (RuntimeException e) {
        text.append(e.getMessage());
      }
      text.append("; ");
    }
    for (RedisProcess server : servers) {
      text.append("server ").append(server.port()).append(": ");
      try {
        text.append(
            server.alive()
                ? replication(server.port())
                    .lines()
                    .filter(
                        line ->
                            line.startsWith("role")
                                || line.startsWith("master_port")
                                || line.startsWith("master_link_status"))
                    .toList()
                : "down");
      } catch (RuntimeException e) {
        text.append(e.getMessage());
      }
      text.append("; ");
    }
    return text.toString();
  }

  /**
   * Waits until {@link #agreed()} has held for two seconds on end: longer than a sentinel takes to
   * call a primary down, so a failover the sentinels decided during a quick restart, which would
   * leave two primaries for a while, is seen out rather than raced.
   */
  private void awaitAgreement() {
    long[] since = {0};
    Await.until(
        "the sentinels to agree on a live primary with its replicas in sync, for 2 s",
        Duration.ofSeconds(90),
        Duration.ofMillis(100),
        () -> {
          if (!agreed()) {
            since[0] = 0;
            return false;
          }
          if (since[0] == 0) {
            since[0] = System.nanoTime();
          }
          return System.nanoTime() - since[0] >= Duration.ofSeconds(2).toNanos();
        });
  }

  /**
   * Whether every live sentinel names the same live primary, it is the one server acting as a
   * primary, and every other live server replicates from it with its link up.
   */
  private boolean agreed() {
    try {
      Integer port = null;
      for (RedisProcess sentinel : sentinels) {
        if (sentinel.alive()) {
          int named = primaryPort(sentinel.port());
          if (port != null && port != named) {
            return false;
          }
          port = named;
        }
      }
      if (port == null) {
        return false;
      }
      for (RedisProcess server : servers) {
        if (!server.alive()) {
          if (address(server) == port) {
            return false;
          }
          continue;
        }
        String info = replication(server.port());
        boolean ok =
            address(server) == port
                ? info.contains("role:master")
                : info.contains("role:slave")
                    && info.contains("master_port:" + port)
                    && info.contains("master_link_status:up");
        if (!ok) {
          return false;
        }
      }
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** What the sentinel on {@code port} says is the primary's port. */
  private static int primaryPort(int port) {
    String[] address =
        RespClient.call(port, "SENTINEL", "get-master-addr-by-name", PRIMARY_NAME).split("\n");
    return Integer.parseInt(address[1]);
  }

  /** {@code INFO replication} of the server on {@code port}. */
  public static String replication(int port) {
    return RespClient.call(port, "INFO", "replication");
  }

  @Override
  public void close() {
    sentinels.forEach(RedisProcess::kill);
    servers.forEach(RedisProcess::kill);
    proxies.forEach(FaultProxy::close);
  }
}
