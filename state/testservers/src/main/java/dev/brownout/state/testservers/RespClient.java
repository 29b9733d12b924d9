package dev.brownout.state.testservers;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One Redis command over a plain socket, for the test servers' own administration (forming a
 * cluster, asking a sentinel for the primary, reading {@code INFO}): no client library, no threads,
 * and every step bounded, so a frozen or dying server cannot hang a test's set-up or its waits.
 */
public final class RespClient {
  private RespClient() {}

  /**
   * Sends {@code command} to {@code 127.0.0.1:port} and returns the reply as text: a status or a
   * bulk string as is, an integer in decimal, an array as its elements one per line.
   *
   * @throws UncheckedIOException if the server cannot be reached or does not answer within {@code
   *     timeout}
   * @throws IllegalStateException with the server's message if it answers with an error
   */
  public static String call(int port, Duration timeout, String... command) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.writeBytes(("*" + command.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (String part : command) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(bytes);
        request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.write(request.toByteArray());
      out.flush();
      return read(new BufferedInputStream(socket.getInputStream()), String.join(" ", command));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "redis on port " + port + " did not answer " + command[0] + " within " + timeout, e);
    }
  }

  /** {@link #call(int, Duration, String...)} with a two-second timeout. */
  public static String call(int port, String... command) {
    return call(port, Duration.ofSeconds(2), command);
  }

  private static String read(InputStream in, String command) throws IOException {
    int type = in.read();
    String line = line(in);
    switch (type) {
      case '+', ':' -> {
        return line;
      }
      case '-' -> throw new IllegalStateException(command + ": " + line);
      case '$' -> {
        int length = Integer.parseInt(line);
        if (length < 0) {
          return "";
        }
        byte[] bulk = in.readNBytes(length);
        line(in);
        return new String(bulk, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int count = Integer.parseInt(line);
        StringBuilder elements = new StringBuilder();
        for (int i = 0; i < count; i++) {
          elements.append(i == 0 ? "" : "\n").append(read(in, command));
        }
        return elements.toString();
      }
      case -1 -> throw new IOException("connection closed before the answer to " + command);
      default -> throw new IOException("unexpected reply type " + (char) type + " to " + command);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\r') {
      line.write(b);
    }
    in.read();
    return line.toString(StandardCharsets.UTF_8);
  }
}
