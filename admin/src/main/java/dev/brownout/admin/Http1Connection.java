package dev.brownout.admin;

import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.Problem;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One admin connection: reads HTTP/1.1 requests strictly, one after another, and answers each
 * through the admin API. Every phase arms a deadline that the server's reaper enforces by closing
 * the socket, so a client that stalls in any phase loses its connection instead of holding a
 * thread.
 */
final class Http1Connection implements Runnable {
  private static final int MAX_LINE_BYTES = 8 * 1024;
  private static final int MAX_HEAD_BYTES = 32 * 1024;
  private static final int MAX_HEADERS = 100;
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,10}");

  private final Socket socket;
  private final AdminServer server;
  private volatile long deadline = Long.MAX_VALUE;
  private volatile String phase = "idle";

  Http1Connection(Socket socket, AdminServer server) {
    this.socket = socket;
    this.server = server;
  }

  /** A request the connection refuses before the API sees it, always closing afterwards. */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final transient AdminResponse response;

    Refused(int status, String name, String title, String detail) {
      super(detail, null, false, false);
      this.response = AdminResponse.problem(Problem.of(name, title, status, detail));
    }
  }

  /** A request line and headers. */
  private record Head(
      String method, String target, boolean http10, Map<String, List<String>> headers) {
    Optional<String> header(String name) {
      List<String> values = headers.get(name);
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
  }

  @Override
  public void run() {
    try (socket) {
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
      boolean keepAlive = true;
      while (keepAlive && !server.closed()) {
        arm("idle", server.idleTimeout);
        int first = in.read();
        if (first < 0) {
          return;
        }
        arm("header", server.headerTimeout);
        try {
          keepAlive = exchange(first, in, out);
        } catch (Refused refused) {
          arm("write", server.writeTimeout);
          write(out, refused.response, false, false);
          lingerAfterRefusal(in);
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      // The client went away, or a deadline closed the socket.
    } finally {
      server.finished(this);
    }
  }

  /** Serves one request; returns whether the connection stays open for another. */
  private boolean exchange(int first, InputStream in, OutputStream out)
      throws IOException, Refused {
    Head head = readHead(first, in);
    long length = contentLength(head);
    String path = path(head.target());
    String query = query(head.target());
    boolean keepAlive =
        !head.http10()
            && !head.header("Connection")
                .map(v -> v.toLowerCase(Locale.ROOT))
                .orElse("")
                .contains("close");
    boolean headOnly = head.method().equals("HEAD");

    if (path.equals(AdminServer.CONSOLE_PATH) && head.method().equals("GET") && length == 0) {
      arm("write", server.writeTimeout);
      write(out, Console.response(), keepAlive, false);
      return keepAlive;
    }

    AdminRequest.Builder request =
        AdminRequest.builder(head.method(), path).rawQuery(query).nativeRequest(socket);
    head.headers().forEach((name, values) -> values.forEach(value -> request.header(name, value)));
    Optional<AdminResponse> refused = server.api.refuseBeforeBody(request.build());
    if (refused.isPresent()) {
      // The body, if any, is never read, so the connection cannot be reused.
      boolean reuse = keepAlive && length == 0;
      arm("write", server.writeTimeout);
      write(out, refused.get(), reuse, headOnly);
      return reuse;
    }
    if (length > 0) {
      if (head.header("Expect").map(v -> v.equalsIgnoreCase("100-continue")).orElse(false)) {
        out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
      arm("body", server.bodyTimeout);
      byte[] body = in.readNBytes((int) length);
      if (body.length < length) {
        throw new IOException("the client sent " + body.length + " of " + length + " bytes");
      }
      request.body(body);
    }
    arm("handler", null);
    AdminResponse response = server.api.handle(request.build());
    arm("write", server.writeTimeout);
    write(out, response, keepAlive, headOnly);
    return keepAlive;
  }

  private Head readHead(int first, InputStream in) throws IOException, Refused {
    int[] budget = {MAX_HEAD_BYTES};
    String requestLine = readLine(first, in, budget);
    String[] parts = requestLine.split(" ", -1);
    if (parts.length != 3 || !METHOD.matcher(parts[0]).matches() || parts[1].isEmpty()) {
      throw badRequest("the request line must be 'METHOD target HTTP/1.1'");
    }
    boolean http10;
    if (parts[2].equals("HTTP/1.1")) {
      http10 = false;
    } else if (parts[2].equals("HTTP/1.0")) {
      http10 = true;
    } else {
      throw new Refused(
          505,
          "http-version-not-supported",
          "HTTP version not supported",
          "the admin server speaks HTTP/1.1 and HTTP/1.0");
    }
    Map<String, List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    int count = 0;
    while (true) {
      int next = in.read();
      if (next < 0) {
        throw new IOException("the client closed the connection inside a request's headers");
      }
      String line = readLine(next, in, budget);
      if (line.isEmpty()) {
        break;
      }
      if (++count > MAX_HEADERS) {
        throw new Refused(
            431,
            "headers-too-large",
            "Request header fields too large",
            "at most " + MAX_HEADERS + " headers");
      }
      char lead = line.charAt(0);
      if (lead == ' ' || lead == '\t') {
        throw badRequest("folded header lines are not accepted");
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || !TOKEN.matcher(line.substring(0, colon)).matches()) {
        throw badRequest("a header must be 'Name: value'");
      }
      String value = line.substring(colon + 1).strip();
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
          throw badRequest("a header value holds a control character");
        }
      }
      headers.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>()).add(value);
    }
    Head head = new Head(parts[0], parts[1], http10, headers);
    if (!http10 && head.header("Host").isEmpty()) {
      throw badRequest("an HTTP/1.1 request needs a Host header");
    }
    return head;
  }

  /** Reads one line up to LF; a CR may only come right before the LF. */
  private static String readLine(int first, InputStream in, int[] budget)
      throws IOException, Refused {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    int b = first;
    while (true) {
      if (b < 0) {
        throw new IOException("the client closed the connection inside a request line");
      }
      if (--budget[0] < 0 || line.size() >= MAX_LINE_BYTES) {
        throw new Refused(
            431,
            "headers-too-large",
            "Request header fields too large",
            "request lines and headers are limited to "
                + MAX_LINE_BYTES
                + " bytes each and "
                + MAX_HEAD_BYTES
                + " in all");
      }
      if (b == '\n') {
        break;
      }
      if (b == '\r') {
        int next = in.read();
        if (next != '\n') {
          throw badRequest("a bare CR in a request line or header");
        }
        break;
      }
      if (b == 0) {
        throw badRequest("a NUL byte in a request line or header");
      }
      line.write(b);
      b = in.read();
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  private long contentLength(Head head) throws Refused {
    if (head.headers().containsKey("Transfer-Encoding")) {
      throw new Refused(
          501,
          "not-implemented",
          "Not implemented",
          "the admin server does not take chunked or otherwise encoded request bodies; send"
              + " Content-Length");
    }
    List<String> values = head.headers().get("Content-Length");
    if (values == null) {
      return 0;
    }
    String first = values.get(0);
    for (String value : values) {
      if (!value.equals(first) || !DIGITS.matcher(value).matches()) {
        throw badRequest("Content-Length must be one decimal number");
      }
    }
    long length = Long.parseLong(first);
    if (length > server.maxBodyBytes) {
      throw new Refused(
          413,
          "payload-too-large",
          "Payload too large",
          "admin request bodies are limited to "
              + server.maxBodyBytes
              + " bytes (brownout.admin.max-body-bytes)");
    }
    return length;
  }

  /** The raw path of an origin-form or absolute-form target. */
  private static String path(String target) throws Refused {
    String rest = target;
    if (!target.startsWith("/")) {
      URI uri;
      try {
        uri = URI.create(target);
      } catch (IllegalArgumentException e) {
        throw badRequest("the request target is not a path or an absolute URI");
      }
      if (!uri.isAbsolute() || uri.getRawPath() == null) {
        throw badRequest("the request target is not a path or an absolute URI");
      }
      rest = uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    }
    int question = rest.indexOf('?');
    String path = question < 0 ? rest : rest.substring(0, question);
    int hash = path.indexOf('#');
    return hash < 0 ? path : path.substring(0, hash);
  }

  private static @Nullable String query(String target) {
    int question = target.indexOf('?');
    if (question < 0) {
      return null;
    }
    String query = target.substring(question + 1);
    int hash = query.indexOf('#');
    return hash < 0 ? query : query.substring(0, hash);
  }

  private static Refused badRequest(String detail) {
    return new Refused(400, "bad-request", "Bad request", detail);
  }

  private static void write(
      OutputStream out, AdminResponse response, boolean keepAlive, boolean headOnly)
      throws IOException {
    StringBuilder head =
        new StringBuilder("HTTP/1.1 ")
            .append(response.status())
            .append(' ')
            .append(reason(response.status()))
            .append("\r\n");
    if (!response.contentType().isEmpty()) {
      head.append("Content-Type: ").append(response.contentType()).append("; charset=utf-8\r\n");
    }
    response
        .headers()
        .forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
    byte[] body = response.body();
    boolean noBody = response.status() == 204 || response.status() == 304;
    if (!noBody) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("Connection: ").append(keepAlive ? "keep-alive" : "close").append("\r\n\r\n");
    out.write(head.toString().getBytes(StandardCharsets.UTF_8));
    if (!headOnly && !noBody) {
      out.write(body);
    }
    out.flush();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 201 -> "Created";
      case 202 -> "Accepted";
      case 204 -> "No Content";
      case 304 -> "Not Modified";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 409 -> "Conflict";
      case 412 -> "Precondition Failed";
      case 413 -> "Content Too Large";
      case 415 -> "Unsupported Media Type";
      case 428 -> "Precondition Required";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 501 -> "Not Implemented";
      case 503 -> "Service Unavailable";
      case 505 -> "HTTP Version Not Supported";
      default -> status < 400 ? "OK" : status < 500 ? "Client Error" : "Server Error";
    };
  }

  /** Starts a phase: the connection must leave it within {@code timeout} (none if null). */
  private void arm(String name, @Nullable Duration timeout) {
    phase = name;
    deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
  }

  /**
   * After a refusal sent before the request's body was read (413, a bad header): says it is done
   * sending, then reads and drops what the client is still sending, for a moment and a bounded
   * number of bytes. Closing at once with unread bytes makes the kernel reset the connection, and a
   * reset can destroy the refusal before the client reads it.
   */
  private void lingerAfterRefusal(InputStream in) {
    try {
      socket.shutdownOutput();
      arm("linger", LINGER);
      byte[] sink = new byte[8192];
      long left = LINGER_BYTES;
      while (left > 0) {
        int read = in.read(sink, 0, (int) Math.min(sink.length, left));
        if (read < 0) {
          return;
        }
        left -= read;
      }
    } catch (IOException e) {
      // The client is gone, or the moment passed: closing anyway.
    }
  }

  private static final Duration LINGER = Duration.ofMillis(500);
  private static final long LINGER_BYTES = 4L * 1024 * 1024;

  /** The phase whose deadline has passed at {@code now}, or null. */
  @Nullable String expired(long now) {
    long due = deadline;
    return due != Long.MAX_VALUE && now - due > 0 ? phase : null;
  }

  void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
