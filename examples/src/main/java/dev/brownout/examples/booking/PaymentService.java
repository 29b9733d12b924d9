package dev.brownout.examples.booking;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The third-party payment API the booking site depends on, as a separate local HTTP service that
 * the drill can break: {@code POST /charges/{booking}} answers {@code 200 charge-<n>}, or fails,
 * stalls or drops the connection, as {@link #behave} says.
 */
public final class PaymentService implements AutoCloseable {
  /** How the service behaves. */
  public enum Behaviour {
    /** Answers at once. */
    OK,
    /** Answers 503. */
    FAILING,
    /** Takes five seconds to answer. */
    SLOW,
    /** Drops every connection without answering. */
    DOWN
  }

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(8);
  private final AtomicReference<Behaviour> behaviour = new AtomicReference<>(Behaviour.OK);
  private final AtomicInteger charges = new AtomicInteger();

  private PaymentService(int port) {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the payment service on port " + port, e);
    }
    server.createContext(
        "/charges/",
        exchange -> {
          try (exchange) {
            Behaviour now = behaviour.get();
            if (now == Behaviour.DOWN) {
              return; // closed without an answer
            }
            if (now == Behaviour.SLOW) {
              try {
                Thread.sleep(5000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            int status = now == Behaviour.FAILING ? 503 : 200;
            byte[] body =
                (status == 200 ? "charge-" + charges.incrementAndGet() : "unavailable")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
          }
        });
    server.setExecutor(threads);
    server.start();
  }

  /** Starts the service on {@code port} (0 for a free one). */
  public static PaymentService start(int port) {
    return new PaymentService(port);
  }

  /** Where it listens. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** Changes how it behaves from the next request on. */
  public void behave(Behaviour next) {
    behaviour.set(next);
  }

  /** Charges it has accepted. */
  public int charges() {
    return charges.get();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
