package dev.brownout.core.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.CoreConfig;
import dev.brownout.core.internal.DaemonThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded admin HTTP server, on the JDK's own {@code com.sun.net.httpserver}: no servlet
 * container needed. It binds to loopback unless told otherwise, serves an {@link AdminApi} on a
 * small pool of daemon threads, and refuses bodies larger than its limit with 413.
 *
 * <pre>{@code
 * AdminServer server = AdminServer.start(api, config);
 * System.out.println("admin API at " + server.uri().resolve(AdminApi.API_ROOT));
 * }</pre>
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  private final HttpServer server;
  private final ExecutorService executor;
  private final AdminApi api;
  private final int maxBodyBytes;

  private AdminServer(AdminApi api, InetSocketAddress address, int threads, int maxBodyBytes)
      throws IOException {
    this.api = api;
    this.maxBodyBytes = maxBodyBytes;
    this.executor = Executors.newFixedThreadPool(threads, DaemonThreads.named("brownout-admin"));
    this.server = HttpServer.create(address, 50);
    server.createContext("/", this::serve);
    server.setExecutor(executor);
  }

  /**
   * Starts a server for {@code api} on {@code host:port} ({@code port} 0 picks a free port).
   *
   * @throws UncheckedIOException if the address cannot be bound, naming it
   */
  public static AdminServer start(
      AdminApi api, String host, int port, int threads, int maxBodyBytes) {
    Objects.requireNonNull(api, "api");
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("admin bind address '" + host + "' does not resolve");
    }
    try {
      AdminServer server = new AdminServer(api, address, threads, maxBodyBytes);
      server.server.start();
      if (!address.getAddress().isLoopbackAddress()) {
        log.warn(
            "The admin server listens on {}, which is not a loopback address; keep its tokens secret",
            address);
      }
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start the admin server on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** Starts a server for {@code api} as {@code brownout.admin.*} configures it. */
  public static AdminServer start(AdminApi api, BrownoutConfig config) {
    return start(
        api,
        config.get(CoreConfig.ADMIN_BIND_ADDRESS),
        config.get(CoreConfig.ADMIN_PORT),
        config.get(CoreConfig.ADMIN_THREADS),
        config.get(CoreConfig.ADMIN_MAX_BODY_BYTES));
  }

  /** Starts a server for {@code api} on a free loopback port, with default limits: for tests. */
  public static AdminServer startOnFreePort(AdminApi api) {
    return start(api, InetAddress.getLoopbackAddress().getHostAddress(), 0, 2, 1024 * 1024);
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The server's root URI, such as {@code http://127.0.0.1:9099/}. */
  public URI uri() {
    InetAddress address = server.getAddress().getAddress();
    String host =
        address.isAnyLocalAddress()
            ? InetAddress.getLoopbackAddress().getHostAddress()
            : address.getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port() + "/");
  }

  private void serve(HttpExchange exchange) {
    try (exchange) {
      AdminResponse response;
      byte[] body = readBody(exchange.getRequestBody());
      if (body == null) {
        response =
            AdminResponse.problem(
                Problem.of(
                        "payload-too-large",
                        "Payload too large",
                        413,
                        "admin request bodies are limited to "
                            + maxBodyBytes
                            + " bytes (brownout.admin.max-body-bytes)")
                    .withInstance(exchange.getRequestURI().getRawPath()));
      } else {
        AdminRequest.Builder request =
            AdminRequest.builder(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath())
                .rawQuery(exchange.getRequestURI().getRawQuery())
                .body(body)
                .nativeRequest(exchange);
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
          for (String value : header.getValue()) {
            request.header(header.getKey(), value);
          }
        }
        response = api.handle(request.build());
      }
      write(exchange, response);
    } catch (IOException | RuntimeException e) {
      log.debug("Admin exchange failed while reading or writing", e);
    }
  }

  /** Reads the body, or returns null if it exceeds the limit. */
  private byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(maxBodyBytes + 1);
    return body.length > maxBodyBytes ? null : body;
  }

  private static void write(HttpExchange exchange, AdminResponse response) throws IOException {
    if (!response.contentType().isEmpty()) {
      exchange.getResponseHeaders().set("Content-Type", response.contentType() + "; charset=utf-8");
    }
    response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
    byte[] body = response.bodyUnsafe();
    boolean empty = body.length == 0 || "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(response.status(), empty ? -1 : body.length);
    if (!empty) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /**
   * Stops: closes the listening socket and open connections, then lets handlers that are still
   * running finish for up to a second.
   */
  @Override
  public void close() {
    // stop(n) would wait the full n seconds whenever a client holds an idle keep-alive connection.
    server.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "AdminServer[" + uri() + "]";
  }
}
