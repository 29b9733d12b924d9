package dev.brownout.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded server under slow, hostile and malformed clients: it keeps serving legitimate
 * requests, reads no body before the token is checked, and closes what stalls.
 */
class AdminServerHardeningTest {
  static final String TOKEN = "write-token-0123456789abcdef";

  final AtomicInteger bodiesRead = new AtomicInteger();
  final AdminApi api =
      AdminApi.builder()
          .authenticator(BearerTokenAuthenticator.builder().writeToken("ops", TOKEN).build())
          .routes(
              AdminRoute.write(
                  "PUT",
                  "/api/v1/things/{name}",
                  "things.put",
                  "Put a thing.",
                  request -> {
                    bodiesRead.incrementAndGet();
                    return AdminResponse.ok(java.util.Map.of("bytes", request.body().length));
                  }))
          .build();
  final List<Socket> open = new ArrayList<>();
  AdminServer server;

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : open) {
      socket.close();
    }
    if (server != null) {
      server.close();
    }
  }

  AdminServer start(AdminServer.Builder builder) {
    server = builder.port(0).start();
    return server;
  }

  Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
    socket.setSoTimeout(10_000);
    open.add(socket);
    return socket;
  }

  static void send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** The status line's code of the next response on {@code socket}, or -1 if it was closed. */
  static int status(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      line.append((char) b);
    }
    if (line.length() < 12) {
      return -1;
    }
    return Integer.parseInt(line.substring(9, 12));
  }

  /** Reads until the server closes the connection; true if it did within the socket timeout. */
  static boolean closedByServer(Socket socket) throws IOException {
    try {
      InputStream in = socket.getInputStream();
      while (in.read() != -1) {
        // drain whatever the server sent before closing
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  int legitimateRequest() throws IOException {
    Socket socket = connect();
    send(
        socket,
        "GET /api/v1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + TOKEN
            + "\r\nConnection: close\r\n\r\n");
    return status(socket);
  }

  @Test
  void slowClientsSendingHeadersDoNotStarveALegitimateRequest() throws IOException {
    start(AdminServer.builder(api));
    for (int i = 0; i < 50; i++) {
      send(connect(), "GET /api/v1 HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    }
    assertThat(legitimateRequest()).isEqualTo(200);
    assertThat(server.openConnections()).isGreaterThanOrEqualTo(50);
  }

  @Test
  void aClientThatStallsInItsHeadersIsDisconnected() throws IOException {
    start(AdminServer.builder(api).headerTimeout(Duration.ofMillis(200)));
    Socket slow = connect();
    send(slow, "GET /api/v1 HTTP/1.1\r\nHost: x\r\n");
    assertThat(closedByServer(slow)).isTrue();
    assertThat(legitimateRequest()).isEqualTo(200);
  }

  @Test
  void noBodyIsReadBeforeTheTokenIsChecked() throws IOException {
    start(AdminServer.builder(api));
    Socket anonymous = connect();
    // Declares a body it never sends: the server must answer on the head alone.
    send(anonymous, "PUT /api/v1/things/a HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
    assertThat(status(anonymous)).isEqualTo(401);
    assertThat(closedByServer(anonymous)).as("the unread body is not waited for").isTrue();
    assertThat(bodiesRead).hasValue(0);
  }

  @Test
  void aDeclaredBodyOverTheLimitIsRefusedUnread() throws IOException {
    start(AdminServer.builder(api).maxBodyBytes(1024));
    Socket big = connect();
    send(
        big,
        "PUT /api/v1/things/a HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + TOKEN
            + "\r\nContent-Length: 5000\r\n\r\n");
    assertThat(status(big)).isEqualTo(413);
    assertThat(bodiesRead).hasValue(0);
  }

  @Test
  void anAuthenticatedClientThatStallsInItsBodyIsDisconnected() throws IOException {
    start(AdminServer.builder(api).bodyTimeout(Duration.ofMillis(200)));
    Socket slow = connect();
    send(
        slow,
        "PUT /api/v1/things/a HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + TOKEN
            + "\r\nContent-Length: 100\r\n\r\n{\"half\":");
    assertThat(closedByServer(slow)).isTrue();
    assertThat(bodiesRead).hasValue(0);
    assertThat(legitimateRequest()).isEqualTo(200);
  }

  @Test
  void connectionsBeyondTheLimitGetA503AtOnce() throws IOException {
    start(AdminServer.builder(api).maxConnections(3));
    for (int i = 0; i < 3; i++) {
      send(connect(), "GET /api/v1 HTTP/1.1\r\nHost: x\r\n");
    }
    Socket fourth = connect();
    assertThat(status(fourth)).isEqualTo(503);
    assertThat(closedByServer(fourth)).isTrue();
  }

  @Test
  void malformedRequestsGetAClientErrorAndTheServerKeepsServing() throws IOException {
    start(AdminServer.builder(api));
    List<String> malformed =
        List.of(
            "GET /api/v1 HTTP/1.1\rHost: x\r\n\r\n",
            "GET /api/v1 HTTP/1.1\r\nHost: x\r\n folded: yes\r\n\r\n",
            "GET /api/v1 HTTP/1.1\r\nHost : x\r\n\r\n",
            "GET  /api/v1 HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /api/v1 HTTP/2.0\r\nHost: x\r\n\r\n",
            "GET /api/v1 HTTP/1.1\r\n\r\n",
            "PUT /api/v1/things/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "PUT /api/v1/things/a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            "PUT /api/v1/things/a HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            "get /api/v1 HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /api/v1 HTTP/1.1\r\nHost: x\r\nX-" + "a".repeat(40_000) + ": 1\r\n\r\n");
    for (String request : malformed) {
      Socket socket = connect();
      send(socket, request);
      int status = status(socket);
      assertThat(status)
          .as(request.substring(0, Math.min(60, request.length())))
          .isBetween(400, 505);
      assertThat(status).isNotEqualTo(500);
    }
    assertThat(legitimateRequest()).isEqualTo(200);
  }
}
