package dev.brownout.degrade;

import dev.brownout.state.InMemoryStateStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real Jetty with the read-mode filter in front of a servlet that records, per dispatched path,
 * how many writes reached it; and a raw HTTP client that sends a request line exactly as written,
 * so that no client library normalises the path first.
 */
final class ReadModeFilterPaths implements AutoCloseable {
  static final List<String> ALLOWED = List.of("/signin", "/signout");

  final InMemoryStateStore store = InMemoryStateStore.create();
  final ReadMode readMode = ReadMode.builder(store).build();
  final ReadModeFilter filter = new ReadModeFilter(readMode, ALLOWED, Duration.ofSeconds(5));
  final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();
  final Map<String, String> dispatched = new ConcurrentHashMap<>();
  final Server server = new Server();
  final int port;

  ReadModeFilterPaths() throws Exception {
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(
        new ServletHolder(
            new HttpServlet() {
              private static final long serialVersionUID = 1L;

              @Override
              protected void service(HttpServletRequest request, HttpServletResponse response)
                  throws IOException {
                String path =
                    request.getServletPath()
                        + (request.getPathInfo() == null ? "" : request.getPathInfo());
                dispatched.put(request.getRequestURI(), path);
                if (!request.getMethod().equals("GET")) {
                  writes.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                }
                response.setStatus(200);
                response.getWriter().write("dispatched " + path);
              }
            }),
        "/*");
    server.setHandler(context);
    server.start();
    port = connector.getLocalPort();
  }

  void browseOnly() {
    readMode.enter(
        ReadOnlyReason.builder("db-move", ReadOnlyReason.Kind.MAINTENANCE)
            .source("test")
            .message("Bookings are paused.")
            .build());
  }

  /** The status of {@code method target}, sent as written; 0 if the server closed on us. */
  int send(String method, String target) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(
          (method
                  + " "
                  + target
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      String reply = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      if (!reply.startsWith("HTTP/1.1 ")) {
        return 0;
      }
      return Integer.parseInt(reply.substring(9, 12));
    }
  }

  int writesTo(String path) {
    AtomicInteger count = writes.get(path);
    return count == null ? 0 : count.get();
  }

  int writesOutsideTheAllowList() {
    int total = 0;
    for (Map.Entry<String, AtomicInteger> write : writes.entrySet()) {
      if (!filter.allows(write.getKey())) {
        total += write.getValue().get();
      }
    }
    return total;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    readMode.close();
    store.close();
  }
}
