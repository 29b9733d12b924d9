package dev.brownout.admin;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.metrics.MeterSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded admin HTTP server: serves an {@link AdminApi} and the web console on a port of its
 * own, loopback by default, with no servlet container.
 *
 * <pre>{@code
 * AdminServer server = AdminServer.builder(api).config(config).start();
 * System.out.println("admin API at " + server.uri().resolve("api/v1"));
 * }</pre>
 *
 * <p>It is a small, strict HTTP/1.1 server, built so that slow or hostile clients cannot take it
 * down: every phase of an exchange has a deadline ({@code brownout.admin.header-timeout}, {@code
 * body-timeout}, {@code write-timeout}, {@code idle-timeout}) after which the connection is closed;
 * a request is authenticated and routed on its head before its body is read, and a body larger than
 * {@code max-body-bytes} is refused unread; connections beyond {@code max-connections} get 503 at
 * once. Each connection has its own thread, virtual on JDK 21 and later. Chunked request bodies,
 * header folding and anything else ambiguous are refused with a 4xx or 5xx status rather than
 * guessed at. (The JDK's own {@code com.sun.net.httpserver} reads headers on its worker threads
 * with no per-server timeout, so two slow connections could stall it.)
 */
public final class AdminServer implements AutoCloseable {
  /** Open admin connections. */
  public static final MeterSpec CONNECTIONS =
      MeterSpec.gauge("brownout.admin.connections", "Open connections to the admin server.", "");

  /** Connections closed by the server before their exchange ended. */
  public static final MeterSpec DROPPED =
      MeterSpec.counter(
          "brownout.admin.connections.dropped",
          "Admin connections the server closed early, by reason: limit (max-connections"
              + " reached), header-timeout, body-timeout, write-timeout.",
          "reason");

  /** The path of the web console. */
  public static final String CONSOLE_PATH = "/console";

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  private static final byte[] BUSY = busy();

  final AdminApi api;
  final int maxBodyBytes;
  final Duration headerTimeout;
  final Duration bodyTimeout;
  final Duration writeTimeout;
  final Duration idleTimeout;
  final BrownoutMetrics metrics;
  private final ServerSocket socket;
  private final Semaphore permits;
  private final ThreadFactory threads;
  private final Set<Http1Connection> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger openCount = new AtomicInteger();
  private final Thread acceptor;
  private final Thread reaper;
  private volatile boolean closed;

  private AdminServer(Builder builder) throws IOException {
    Settings settings = builder.settings;
    this.api = builder.api;
    this.metrics = builder.metrics;
    this.maxBodyBytes = settings.get(AdminServerConfig.MAX_BODY_BYTES);
    this.headerTimeout = settings.get(AdminServerConfig.HEADER_TIMEOUT);
    this.bodyTimeout = settings.get(AdminServerConfig.BODY_TIMEOUT);
    this.writeTimeout = settings.get(AdminServerConfig.WRITE_TIMEOUT);
    this.idleTimeout = settings.get(AdminServerConfig.IDLE_TIMEOUT);
    int maxConnections = settings.get(AdminServerConfig.MAX_CONNECTIONS);
    this.permits = new Semaphore(maxConnections);
    String host = settings.get(AdminServerConfig.BIND_ADDRESS);
    int port = settings.get(AdminServerConfig.PORT);
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new IllegalArgumentException(
          settings.describe(AdminServerConfig.BIND_ADDRESS) + ": the address does not resolve");
    }
    this.socket = new ServerSocket();
    try {
      socket.setReuseAddress(true);
      socket.bind(address, Math.min(maxConnections, 1024));
    } catch (IOException e) {
      socket.close();
      throw new UncheckedIOException(
          "cannot start the admin server on "
              + host
              + ":"
              + port
              + " ("
              + settings.origin(AdminServerConfig.PORT)
              + "): "
              + e.getMessage(),
          e);
    }
    this.threads = DaemonThreads.virtualIfAvailable("brownout-admin");
    metrics.gauge(CONNECTIONS, openCount, AtomicInteger::get);
    this.acceptor = new Thread(this::accept, "brownout-admin-accept");
    acceptor.setDaemon(true);
    this.reaper = new Thread(this::reap, "brownout-admin-deadlines");
    reaper.setDaemon(true);
    acceptor.start();
    reaper.start();
    if (!address.getAddress().isLoopbackAddress()) {
      log.warn(
          "The admin server listens on {}, which is not a loopback address; keep its tokens secret",
          address);
    }
  }

  /** Starts a builder for a server of {@code api}. */
  public static Builder builder(AdminApi api) {
    return new Builder(api);
  }

  /** Starts a server for {@code api} as {@code brownout.admin.*} in {@code config} says. */
  public static AdminServer start(AdminApi api, BrownoutConfig config) {
    return builder(api).config(config).start();
  }

  /** The meters the server registers. */
  public static List<MeterSpec> meters() {
    return List.of(CONNECTIONS, DROPPED);
  }

  /** The port the server listens on. */
  public int port() {
    return socket.getLocalPort();
  }

  /** The server's root URI, such as {@code http://127.0.0.1:9099/}. */
  public URI uri() {
    InetAddress address = socket.getInetAddress();
    String host =
        address.isAnyLocalAddress()
            ? InetAddress.getLoopbackAddress().getHostAddress()
            : address.getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port() + "/");
  }

  /** Connections open now. */
  public int openConnections() {
    return openCount.get();
  }

  boolean closed() {
    return closed;
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn("The admin server cannot accept connections: {}", e.toString());
          pause();
        }
        continue;
      }
      if (!permits.tryAcquire()) {
        metrics.counter(DROPPED, "limit").increment();
        refuseBusy(client);
        continue;
      }
      Http1Connection connection = new Http1Connection(client, this);
      open.add(connection);
      openCount.incrementAndGet();
      try {
        threads.newThread(connection).start();
      } catch (RuntimeException | Error e) {
        finished(connection);
        connection.close();
        log.warn("The admin server cannot start a connection thread: {}", e.toString());
      }
    }
  }

  private static byte[] busy() {
    String body =
        "{\"type\":\"https://brownout.dev/problems/busy\",\"title\":\"Busy\",\"status\":503,"
            + "\"detail\":\"the admin server serves brownout.admin.max-connections connections at"
            + " once; try again in a moment\"}";
    return ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
            + "Retry-After: 1\r\nConnection: close\r\nContent-Length: "
            + body.length()
            + "\r\n\r\n"
            + body)
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static void refuseBusy(Socket client) {
    try (client) {
      // A few hundred bytes fit the socket's send buffer, so this never waits for the client.
      OutputStream out = client.getOutputStream();
      out.write(BUSY);
      out.flush();
    } catch (IOException e) {
      // the client left already
    }
  }

  void finished(Http1Connection connection) {
    if (open.remove(connection)) {
      openCount.decrementAndGet();
      permits.release();
    }
  }

  /** Closes every connection whose current phase has run past its deadline. */
  private void reap() {
    while (!closed) {
      long now = System.nanoTime();
      for (Http1Connection connection : open) {
        String expired = connection.expired(now);
        if (expired != null) {
          if (!expired.equals("idle")) {
            metrics.counter(DROPPED, expired + "-timeout").increment();
            log.debug("Closing an admin connection that ran past its {} timeout", expired);
          }
          connection.close();
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops: closes the listening socket and every open connection. */
  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Http1Connection connection : open) {
      connection.close();
    }
    reaper.interrupt();
    try {
      acceptor.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "AdminServer[" + uri() + "]";
  }

  /** Builds and starts an {@link AdminServer}. Not thread-safe. */
  public static final class Builder {
    private final AdminApi api;
    private final Settings settings = Settings.of(AdminServerConfig.keys());
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();

    private Builder(AdminApi api) {
      this.api = Objects.requireNonNull(api, "api");
    }

    /** The address to bind ({@code brownout.admin.bind-address}); default loopback. */
    public Builder bindAddress(String address) {
      settings.set(AdminServerConfig.BIND_ADDRESS, address);
      return this;
    }

    /** The port ({@code brownout.admin.port}); 0 picks a free one. Default 9099. */
    public Builder port(int port) {
      settings.set(AdminServerConfig.PORT, port);
      return this;
    }

    /** The largest request body ({@code brownout.admin.max-body-bytes}); default 1 MiB. */
    public Builder maxBodyBytes(int bytes) {
      settings.set(AdminServerConfig.MAX_BODY_BYTES, bytes);
      return this;
    }

    /** Connections served at once ({@code brownout.admin.max-connections}); default 64. */
    public Builder maxConnections(int connections) {
      settings.set(AdminServerConfig.MAX_CONNECTIONS, connections);
      return this;
    }

    /** Time for a request's line and headers ({@code brownout.admin.header-timeout}); 5 s. */
    public Builder headerTimeout(Duration timeout) {
      settings.set(AdminServerConfig.HEADER_TIMEOUT, timeout);
      return this;
    }

    /** Time for a request body ({@code brownout.admin.body-timeout}); default 10 s. */
    public Builder bodyTimeout(Duration timeout) {
      settings.set(AdminServerConfig.BODY_TIMEOUT, timeout);
      return this;
    }

    /** Time for a client to take its response ({@code brownout.admin.write-timeout}); 10 s. */
    public Builder writeTimeout(Duration timeout) {
      settings.set(AdminServerConfig.WRITE_TIMEOUT, timeout);
      return this;
    }

    /** Idle time of a kept-alive connection ({@code brownout.admin.idle-timeout}); 30 s. */
    public Builder idleTimeout(Duration timeout) {
      settings.set(AdminServerConfig.IDLE_TIMEOUT, timeout);
      return this;
    }

    /** Reads {@code brownout.admin.*} from {@code config}; values given to setters win. */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    /** Where the connection meters go. */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * Binds and starts serving.
     *
     * @throws UncheckedIOException if the address cannot be bound, naming it
     * @throws IllegalArgumentException if the bind address does not resolve
     */
    public AdminServer start() {
      try {
        return new AdminServer(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the admin server: " + e.getMessage(), e);
      }
    }
  }
}
