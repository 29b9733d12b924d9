package dev.brownout.state.testservers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process TCP proxy to put in front of any server in a test, to make the network between a
 * client and the server fail in the ways real networks do, and then heal:
 *
 * <ul>
 *   <li>{@link #latency(Duration)}: every byte is held for at least that long in each direction, so
 *       a request and its answer take twice that longer (a slow server or a congested link);
 *   <li>{@link #blackHole()}: connections stay open and new ones are accepted, but nothing passes
 *       either way (a partition, a hung server, a firewall dropping packets); what was sent waits
 *       and is delivered once healed, as TCP would retransmit it;
 *   <li>{@link #strandConnections()}: the connections open now go silent for ever, while new ones
 *       pass (half-open connections: the server's host vanished, a NAT or load balancer forgot the
 *       flow); only a client that gives up on a silent connection and opens a new one recovers;
 *   <li>{@link #cutConnections()}: every open connection is reset; new ones pass (a server or proxy
 *       restart, an idle-timeout reset);
 *   <li>{@link #heal()}: no latency and no black hole (stranded connections stay stranded: they are
 *       gone for good, as they would be on a real network).
 * </ul>
 *
 * <pre>{@code
 * try (RedisTestServer redis = new RedisTestServer();
 *     FaultProxy proxy = FaultProxy.to(redis.port())) {
 *   StateStore store = RedisStateStore.builder().uri(proxy.uri("redis")).build();
 *   proxy.blackHole();
 *   assertThatThrownBy(() -> store.read(ns, "k")).isInstanceOf(StateUnavailableException.class);
 *   proxy.heal();
 * }
 * }</pre>
 *
 * <p>It listens on a free loopback port and connects to the server for each accepted connection; if
 * the server cannot be reached, the client's connection is closed at once, as a refused connection
 * would be. Two threads per connection copy bytes; meant for tests, not for load.
 */
public final class FaultProxy implements AutoCloseable {
  private static final int CHUNK = 16 * 1024;

  private final InetSocketAddress target;
  private final ServerSocket listener;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private final AtomicLong accepted = new AtomicLong();
  private volatile long latencyNanos;
  private volatile boolean blackHoled;
  private volatile boolean closed;

  private FaultProxy(InetSocketAddress target) {
    this.target = target;
    try {
      this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-" + listener.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A proxy to {@code host:port}. */
  public static FaultProxy to(String host, int port) {
    return new FaultProxy(new InetSocketAddress(host, port));
  }

  /** A proxy to {@code 127.0.0.1:port}. */
  public static FaultProxy to(int port) {
    return to("127.0.0.1", port);
  }

  /** The port clients connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /** {@code scheme://127.0.0.1:port}, the proxy's address as a URI for a client. */
  public String uri(String scheme) {
    return scheme + "://127.0.0.1:" + port();
  }

  /** How many connections the proxy has accepted since it started. */
  public long acceptedConnections() {
    return accepted.get();
  }

  /** How many connections are open through the proxy now. */
  public int openConnections() {
    return links.size();
  }

  /**
   * Holds every byte for at least {@code latency} in each direction, from now on; {@link
   * Duration#ZERO} for none.
   */
  public FaultProxy latency(Duration latency) {
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative but was " + latency);
    }
    this.latencyNanos = latency.toNanos();
    return this;
  }

  /** Lets nothing pass, either way, on open and new connections alike, until {@link #heal()}. */
  public FaultProxy blackHole() {
    blackHoled = true;
    return this;
  }

  /**
   * Makes every connection open now silent for ever (nothing passes on it again, and it is never
   * closed by the proxy); connections opened later pass.
   */
  public FaultProxy strandConnections() {
    for (Link link : links) {
      link.stranded = true;
    }
    return this;
  }

  /** Resets every open connection (the client sees a connection reset); new ones pass. */
  public FaultProxy cutConnections() {
    for (Link link : links) {
      link.close(true);
    }
    return this;
  }

  /** Ends the latency and the black hole; held bytes flow again. Stranded connections stay so. */
  public FaultProxy heal() {
    latencyNanos = 0;
    blackHoled = false;
    synchronized (gate) {
      gate.notifyAll();
    }
    return this;
  }

  /** Stops listening and closes every connection. */
  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // Closing anyway.
    }
    for (Link link : links) {
      link.close(false);
    }
    heal();
  }

  @Override
  public String toString() {
    return "FaultProxy[127.0.0.1:" + port() + " -> " + target + "]";
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      accepted.incrementAndGet();
      Thread connector = new Thread(() -> open(client), "fault-proxy-" + port() + "-connect");
      connector.setDaemon(true);
      connector.start();
    }
  }

  private void open(Socket client) {
    Link link = new Link(client, new Socket());
    links.add(link);
    try {
      // A connection accepted during a black hole reaches the server only once healed.
      if (closed || !awaitPassable(link)) {
        link.close(false);
        return;
      }
      client.setTcpNoDelay(true);
      link.server.setTcpNoDelay(true);
      link.server.connect(target, 5000);
    } catch (IOException | InterruptedException e) {
      link.close(false);
      return;
    }
    link.start();
  }

  /** Waits while the proxy is black-holed or {@code link} stranded; false if the link closed. */
  private boolean awaitPassable(Link link) throws InterruptedException {
    synchronized (gate) {
      while ((blackHoled || link.stranded) && !link.closed && !closed) {
        gate.wait(50);
      }
    }
    return !link.closed && !closed;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Nothing to do.
    }
  }

  /** One client connection and the proxy's connection to the server for it. */
  private final class Link {
    final Socket client;
    final Socket server;
    volatile boolean stranded;
    volatile boolean closed;

    Link(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void start() {
      pump(client, server, "up");
      pump(server, client, "down");
    }

    private void pump(Socket from, Socket to, String direction) {
      Thread thread =
          new Thread(
              () -> {
                byte[] buffer = new byte[CHUNK];
                try {
                  InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream();
                  while (!closed) {
                    if (!awaitPassable(this)) {
                      return;
                    }
                    int read = in.read(buffer);
                    if (read < 0) {
                      break;
                    }
                    long due = System.nanoTime() + latencyNanos;
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0 && !closed) {
                      Thread.sleep(Math.max(1, wait / 1_000_000), (int) (wait % 1_000_000));
                    }
                    // Bytes read before a black hole began wait for the heal, like the rest.
                    if (!awaitPassable(this)) {
                      return;
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                  }
                } catch (IOException | InterruptedException e) {
                  // The link is closing.
                }
                if (!stranded) {
                  close(false);
                }
              },
              "fault-proxy-" + port() + "-" + direction);
      thread.setDaemon(true);
      thread.start();
    }

    void close(boolean reset) {
      closed = true;
      links.remove(this);
      if (reset) {
        try {
          client.setSoLinger(true, 0);
        } catch (SocketException e) {
          // Closed already.
        }
      }
      closeQuietly(client);
      closeQuietly(server);
      synchronized (gate) {
        gate.notifyAll();
      }
    }
  }
}
