package dev.brownout.examples.drill;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of the drill's Redis that can slow the network down ({@link #latency}) or
 * let nothing through while connections stay open ({@link #blackHole}), and heal.
 *
 * <p>A stand-in for {@code FaultProxy} of {@code brownout-state-testservers}, which is being
 * written and is not yet in a release this module can build against; it has the same meaning for
 * the two faults the drill uses, and is to be replaced by it. Two threads per connection copy
 * bytes: for tests and drills, not for load.
 */
final class DrillProxy implements AutoCloseable {
  private final InetSocketAddress target;
  private final ServerSocket listener;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private volatile long latencyNanos;
  private volatile boolean blackHoled;
  private volatile boolean closed;

  private DrillProxy(int port) {
    this.target = new InetSocketAddress("127.0.0.1", port);
    try {
      this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    daemon("drill-proxy-accept", this::accept);
  }

  /** A proxy to {@code 127.0.0.1:port}. */
  static DrillProxy to(int port) {
    return new DrillProxy(port);
  }

  /** {@code scheme://127.0.0.1:port}: where clients connect. */
  String uri(String scheme) {
    return scheme + "://127.0.0.1:" + listener.getLocalPort();
  }

  /** Holds every byte at least this long in each direction, from now on. */
  void latency(Duration latency) {
    latencyNanos = latency.toNanos();
  }

  /** Lets nothing pass on open or new connections, which stay open, until {@link #heal}. */
  void blackHole() {
    blackHoled = true;
  }

  /** No latency, no black hole; what was held flows on. */
  void heal() {
    latencyNanos = 0;
    blackHoled = false;
    synchronized (gate) {
      gate.notifyAll();
    }
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        daemon("drill-proxy-connect", () -> connect(client));
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void connect(Socket client) {
    Socket server = new Socket();
    open.add(client);
    open.add(server);
    try {
      passable();
      server.connect(target, 5000);
      client.setTcpNoDelay(true);
      server.setTcpNoDelay(true);
    } catch (IOException | InterruptedException e) {
      close(client, server); // the server is down: the client sees the connection closed
      return;
    }
    daemon("drill-proxy-up", () -> pump(client, server));
    daemon("drill-proxy-down", () -> pump(server, client));
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int read;
      while ((read = in.read(buffer)) >= 0) {
        long due = System.nanoTime() + latencyNanos;
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        passable(); // bytes read before a black hole began wait for the heal too
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // the connection is closing
    }
    close(from, to);
  }

  private void passable() throws InterruptedException {
    synchronized (gate) {
      while (blackHoled && !closed) {
        gate.wait(50);
      }
    }
  }

  private void close(Socket a, Socket b) {
    for (Socket socket : new Socket[] {a, b}) {
      open.remove(socket);
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket socket : open) {
      close(socket, socket);
    }
    heal();
  }
}
