package dev.brownout.state.testservers;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A real Redis Cluster for tests: three primaries, each with a replica unless asked otherwise, as
 * {@code redis-server} processes ({@link RedisProcess}) on free loopback ports, joined with {@code
 * CLUSTER MEET}, the 16384 slots split between the primaries with {@code CLUSTER ADDSLOTS}, and
 * replicas attached with {@code CLUSTER REPLICATE}: no {@code redis-cli}, so the redis-server
 * binary alone is enough. A node notices another is down after one second ({@code
 * cluster-node-timeout 1000}), so a killed primary's replica takes over within seconds.
 *
 * <p>{@link #withProxies(int)} puts a {@link FaultProxy} in front of each node and has the node
 * announce the proxy's port: clients then reach every node through its proxy, and the network
 * between the clients and the cluster can be broken while the nodes still see each other.
 *
 * <pre>{@code
 * try (RedisClusterTestServer cluster = RedisClusterTestServer.start()) {
 *   StateStore store = RedisStateStore.builder().uri(cluster.uri()).build();
 *   cluster.killPrimaryOf(slot);   // its replica is promoted
 * }
 * }</pre>
 */
public final class RedisClusterTestServer implements AutoCloseable {
  private static final int SLOTS = 16384;

  private final Path root;
  private final List<Node> nodes = new ArrayList<>();
  private final int primaries;

  /** One node: its process, and the proxy clients reach it through, if any. */
  private record Node(RedisProcess process, FaultProxy proxy) {
    int clientPort() {
      return proxy == null ? process.port() : proxy.port();
    }
  }

  private RedisClusterTestServer(int primaries, int replicasEach, boolean proxied, File binary) {
    this.primaries = primaries;
    try {
      this.root = Files.createTempDirectory("brownout-redis-cluster");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int count = primaries * (1 + replicasEach);
    try {
      for (int i = 0; i < count; i++) {
        int port = RedisProcess.freePortWithBus(10000);
        FaultProxy proxy = proxied ? FaultProxy.to(port) : null;
        List<String> config = new ArrayList<>();
        config.add("cluster-enabled yes");
        config.add("cluster-config-file nodes.conf");
        config.add("cluster-node-timeout 1000");
        // Within seconds of its primary's death a replica takes over, however stale it thinks
        // itself; tests kill primaries on purpose.
        config.add("cluster-replica-validity-factor 0");
        config.add("save \"\"");
        config.add("appendonly no");
        config.add("protected-mode no");
        if (proxy != null) {
          config.add("cluster-announce-ip 127.0.0.1");
          config.add("cluster-announce-port " + proxy.port());
          config.add("cluster-announce-bus-port " + (port + 10000));
        }
        nodes.add(
            new Node(
                new RedisProcess(port, root.resolve("node-" + port), config, true, binary), proxy));
      }
      form(replicasEach);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Three primaries, each with one replica. */
  public static RedisClusterTestServer start() {
    return new RedisClusterTestServer(3, 1, false, RedisProcess.binary());
  }

  /**
   * Three primaries with {@code replicasEach} replicas each, every node behind a {@link FaultProxy}
   * that it announces to clients as its address.
   */
  public static RedisClusterTestServer withProxies(int replicasEach) {
    return new RedisClusterTestServer(3, replicasEach, true, RedisProcess.binary());
  }

  /** Like {@link #withProxies(int)}, every node a process of {@code binary}. */
  public static RedisClusterTestServer withProxies(int replicasEach, File binary) {
    return new RedisClusterTestServer(3, replicasEach, true, binary);
  }

  /** Three primaries with {@code replicasEach} replicas each (0 for none). */
  public static RedisClusterTestServer start(int replicasEach) {
    return new RedisClusterTestServer(3, replicasEach, false, RedisProcess.binary());
  }

  /**
   * Three primaries with {@code replicasEach} replicas each, every node a process of {@code binary}
   * rather than of {@link RedisProcess#binary()}: a newer Redis, such as {@link
   * RedisProcess#redis7Binary()}, for what only it does.
   */
  public static RedisClusterTestServer start(int replicasEach, File binary) {
    return new RedisClusterTestServer(3, replicasEach, false, binary);
  }

  private void form(int replicasEach) {
    List<String> ids = new ArrayList<>();
    for (Node node : nodes) {
      ids.add(admin(node, "CLUSTER", "MYID"));
    }
    int perPrimary = SLOTS / primaries;
    for (int i = 0; i < primaries; i++) {
      int from = i * perPrimary;
      int to = i == primaries - 1 ? SLOTS : from + perPrimary;
      List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
      IntStream.range(from, to).forEach(slot -> command.add(Integer.toString(slot)));
      admin(nodes.get(i), command.toArray(new String[0]));
    }
    int first = nodes.get(0).process().port();
    for (Node node : nodes.subList(1, nodes.size())) {
      admin(node, "CLUSTER", "MEET", "127.0.0.1", Integer.toString(first));
    }
    Await.until(
        "every cluster node to know every other",
        Duration.ofSeconds(30),
        Duration.ofMillis(50),
        () ->
            nodes.stream()
                .allMatch(
                    node ->
                        admin(node, "CLUSTER", "NODES")
                                .lines()
                                .filter(line -> !line.contains("handshake"))
                                .count()
                            == nodes.size()));
    for (int r = 0; r < replicasEach; r++) {
      for (int i = 0; i < primaries; i++) {
        Node replica = nodes.get(primaries + r * primaries + i);
        String primary = ids.get(i);
        admin(replica, "CLUSTER", "REPLICATE", primary);
      }
    }
    awaitHealthy();
  }

  /**
   * Waits until every live node reports the cluster ok, no node flagged failing, and every replica
   * in sync, and that has held for a second.
   */
  public void awaitHealthy() {
    long[] since = {0};
    Await.until(
        "the redis cluster to be ok on every node, with no node flagged failing, for 1 s",
        Duration.ofSeconds(60),
        Duration.ofMillis(50),
        () -> {
          if (!healthy()) {
            since[0] = 0;
            return false;
          }
          if (since[0] == 0) {
            since[0] = System.nanoTime();
          }
          // Long enough for gossip to settle after a restart, as a client would next see it.
          return System.nanoTime() - since[0] >= Duration.ofSeconds(1).toNanos();
        });
  }

  /**
   * Whether every live node says the cluster is ok, knows every node with none flagged failing or
   * in handshake, and is a primary or a replica with its link up.
   */
  private boolean healthy() {
    return nodes.stream()
        .filter(node -> node.process().alive())
        .allMatch(
            node -> {
              try {
                String info = admin(node, "CLUSTER", "INFO");
                String replication = admin(node, "INFO", "replication");
                List<String> known = admin(node, "CLUSTER", "NODES").lines().toList();
                long live = nodes.stream().filter(other -> other.process().alive()).count();
                return info.contains("cluster_state:ok")
                    && known.size() == nodes.size()
                    && known.stream()
                            .filter(line -> !line.contains("fail") && !line.contains("handshake"))
                            .count()
                        >= live
                    && (replication.contains("role:master")
                        || replication.contains("master_link_status:up"));
              } catch (RuntimeException e) {
                return false;
              }
            });
  }

  private static String admin(Node node, String... command) {
    return RespClient.call(node.process().port(), command);
  }

  /** {@code redis-cluster://} with the primaries as seeds (as clients reach them). */
  public String uri() {
    StringBuilder uri = new StringBuilder("redis-cluster://");
    for (int i = 0; i < primaries; i++) {
      uri.append(i == 0 ? "" : ",").append("127.0.0.1:").append(nodes.get(i).clientPort());
    }
    return uri.toString();
  }

  /** The proxies in front of the nodes, if made {@link #withProxies(int)}; empty otherwise. */
  public List<FaultProxy> proxies() {
    return nodes.stream().map(Node::proxy).filter(java.util.Objects::nonNull).toList();
  }

  /** Every node's process. */
  public List<RedisProcess> processes() {
    return nodes.stream().map(Node::process).toList();
  }

  /**
   * The process that is the primary of {@code slot} now, asked of any live node ({@code CLUSTER
   * NODES}).
   */
  public RedisProcess primaryOf(int slot) {
    Node any = nodes.stream().filter(node -> node.process().alive()).findFirst().orElseThrow();
    for (String line : admin(any, "CLUSTER", "NODES").lines().toList()) {
      String[] parts = line.split(" ");
      if (!parts[2].contains("master") || parts[2].contains("fail")) {
        continue;
      }
      for (int i = 8; i < parts.length; i++) {
        String[] range = parts[i].split("-");
        if (range[0].startsWith("[")) {
          continue;
        }
        int from = Integer.parseInt(range[0]);
        int to = range.length == 1 ? from : Integer.parseInt(range[1]);
        if (slot >= from && slot <= to) {
          int announced =
              Integer.parseInt(
                  parts[1].substring(parts[1].indexOf(':') + 1, parts[1].indexOf('@')));
          return nodes.stream()
              .filter(node -> node.clientPort() == announced)
              .findFirst()
              .orElseThrow()
              .process();
        }
      }
    }
    throw new IllegalStateException("no primary serves slot " + slot);
  }

  /**
   * The live processes replicating the primary of {@code slot} now, asked of that primary ({@code
   * CLUSTER NODES}).
   */
  public List<RedisProcess> replicasOf(int slot) {
    RedisProcess primary = primaryOf(slot);
    String id = RespClient.call(primary.port(), "CLUSTER", "MYID").trim();
    List<RedisProcess> replicas = new ArrayList<>();
    for (String line : RespClient.call(primary.port(), "CLUSTER", "NODES").lines().toList()) {
      String[] parts = line.split(" ");
      if (parts[2].contains("slave") && !parts[2].contains("fail") && parts[3].equals(id)) {
        int announced =
            Integer.parseInt(parts[1].substring(parts[1].indexOf(':') + 1, parts[1].indexOf('@')));
        nodes.stream()
            .filter(node -> node.clientPort() == announced && node.process().alive())
            .findFirst()
            .ifPresent(node -> replicas.add(node.process()));
      }
    }
    return replicas;
  }

  /** Each node's {@code INFO replication} role, by port: for diagnostics. */
  public Map<Integer, String> roles() {
    Map<Integer, String> roles = new java.util.TreeMap<>();
    for (Node node : nodes) {
      if (node.process().alive()) {
        String info = admin(node, "INFO", "replication");
        roles.put(node.process().port(), info.contains("role:master") ? "primary" : "replica");
      } else {
        roles.put(node.process().port(), "down");
      }
    }
    return roles;
  }

  /** Kills every node at once, as a crash of the whole cluster would. */
  public void killAll() {
    nodes.forEach(node -> node.process().kill());
  }

  /**
   * Starts every stopped node again with its cluster configuration (so they form the same cluster,
   * empty), and waits until it is ok.
   */
  public void startAll() {
    nodes.forEach(node -> node.process().start());
    awaitHealthy();
  }

  @Override
  public void close() {
    for (Node node : nodes) {
      node.process().kill();
      if (node.proxy() != null) {
        node.proxy().close();
      }
    }
  }
}
