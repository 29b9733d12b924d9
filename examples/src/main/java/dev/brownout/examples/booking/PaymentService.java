package dev.brownout.examples.booking;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A third-party payment provider the booking site depends on, as a separate local HTTP service that
 * the drill can break. {@code POST /charges/{booking}} with {@code customer=<guest>} and an {@code
 * Idempotency-Key} header answers {@code 200 <name>-charge-<n>}; a key it has seen answers what it
 * answered the first time (the same charge, or the same decline), so a retried or replayed charge
 * never charges twice. A request without a key is refused ({@code 400}).
 *
 * <p>It can be told to stall ({@link Behaviour#SLOW}: the charge is still taken, five seconds
 * later, whether or not the caller waited), to answer {@code 503} without charging, to drop
 * connections without answering or charging, and to decline a customer's card ({@code 402}, a
 * business refusal; the card of any customer whose name starts with {@code declined} is always
 * declined, for trying it by hand). It keeps its books: which bookings it charged, how often each
 * was asked.
 */
public final class PaymentService implements AutoCloseable {
  /** How the service behaves. */
  public enum Behaviour {
    /** Answers at once. */
    OK,
    /** Answers {@code 503}; charges nothing. */
    FAILING,
    /**
     * Stalls (five seconds), then charges and answers, to a caller that may have stopped waiting.
     */
    SLOW,
    /** Reads the request, charges nothing and closes the connection without an answer. */
    DROPPING
  }

  /** How long {@link Behaviour#SLOW} stalls unless told otherwise ({@link #stallFor}). */
  public static final Duration STALL = Duration.ofSeconds(5);

  /** What the service answered to one idempotency key, the first time. */
  private record Answer(long booking, int status, String body) {}

  private final String name;
  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(32);
  private final AtomicReference<Behaviour> behaviour = new AtomicReference<>(Behaviour.OK);
  private volatile Duration stall = STALL;
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong replays = new AtomicLong();
  private final AtomicLong stalled = new AtomicLong();
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<Long, List<String>> charges = new ConcurrentHashMap<>();
  private final Map<Long, AtomicLong> attempts = new ConcurrentHashMap<>();
  private final Set<Long> declined = ConcurrentHashMap.newKeySet();
  private final Set<String> declinedCustomers = ConcurrentHashMap.newKeySet();

  private PaymentService(String name, int port) {
    this.name = name;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start payment service " + name + " on " + port, e);
    }
    server.createContext("/charges/", this::handle);
    server.setExecutor(threads);
    server.start();
  }

  /** Starts a provider called {@code name} on {@code port} (0 for a free one). */
  public static PaymentService start(String name, int port) {
    return new PaymentService(name, port);
  }

  private void handle(HttpExchange exchange) throws IOException {
    boolean stalling = false;
    try (exchange) {
      Behaviour now = behaviour.get();
      String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
      String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      long booking;
      try {
        booking =
            Long.parseLong(exchange.getRequestURI().getPath().substring("/charges/".length()));
      } catch (NumberFormatException e) {
        answer(exchange, 404, "no such booking path");
        return;
      }
      if (!exchange.getRequestMethod().equals("POST")) {
        answer(exchange, 405, "POST a charge");
        return;
      }
      if (key == null || key.isBlank()) {
        answer(exchange, 400, "an Idempotency-Key header is required");
        return;
      }
      attempts.computeIfAbsent(booking, b -> new AtomicLong()).incrementAndGet();
      switch (now) {
        case DROPPING -> {
          return; // closed without an answer, nothing charged
        }
        case FAILING -> {
          answer(exchange, 503, "unavailable; nothing was charged");
          return;
        }
        case SLOW -> {
          stalled.incrementAndGet();
          stalling = true;
          pause(stall.toMillis());
        }
        case OK -> {
          // at once
        }
      }
      String customer = customer(form);
      AtomicBoolean first = new AtomicBoolean();
      Answer answer =
          answers.computeIfAbsent(
              key,
              k -> {
                first.set(true);
                return decide(booking, customer);
              });
      if (answer.booking() != booking) {
        answer(exchange, 422, "idempotency key " + key + " was used for another booking");
        return;
      }
      if (!first.get()) {
        replays.incrementAndGet();
      }
      answer(exchange, answer.status(), answer.body());
    } finally {
      if (stalling) {
        stalled.decrementAndGet(); // and its charge is taken
      }
    }
  }

  /** The first answer to a key: a decline, or a new charge. Runs once per key. */
  private Answer decide(long booking, String customer) {
    if (customer.startsWith("declined") || declinedCustomers.contains(customer)) {
      declined.add(booking);
      return new Answer(booking, 402, "card_declined");
    }
    String charge = name + "-charge-" + sequence.incrementAndGet();
    charges.computeIfAbsent(booking, b -> new CopyOnWriteArrayList<>()).add(charge);
    return new Answer(booking, 200, charge);
  }

  private static String customer(String form) {
    for (String pair : form.split("&")) {
      if (pair.startsWith("customer=")) {
        return URLDecoder.decode(pair.substring("customer=".length()), StandardCharsets.UTF_8);
      }
    }
    return "";
  }

  private static void answer(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** This provider's name, the prefix of its charge ids. */
  public String name() {
    return name;
  }

  /** Where it listens. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** Changes how it behaves from the next request on. */
  public void behave(Behaviour next) {
    behaviour.set(next);
  }

  /** How long {@link Behaviour#SLOW} stalls from now on. */
  public void stallFor(Duration time) {
    this.stall = time;
  }

  /** Declines {@code customer}'s card from now on ({@code 402}), or honours it again. */
  public void declineCardOf(String customer, boolean decline) {
    if (decline) {
      declinedCustomers.add(customer);
    } else {
      declinedCustomers.remove(customer);
    }
  }

  /** The charges taken, by booking: more than one for a booking is a double charge. */
  public Map<Long, List<String>> charges() {
    Map<Long, List<String>> copy = new TreeMap<>();
    charges.forEach((booking, ids) -> copy.put(booking, List.copyOf(ids)));
    return copy;
  }

  /** Every charge taken. */
  public List<String> chargeIds() {
    List<String> ids = new ArrayList<>();
    charges.values().forEach(ids::addAll);
    return ids;
  }

  /** How many charge requests for {@code booking} reached the service, whatever it answered. */
  public long attempts(long booking) {
    AtomicLong count = attempts.get(booking);
    return count == null ? 0 : count.get();
  }

  /** Bookings whose charge it declined. */
  public Set<Long> declined() {
    return Set.copyOf(declined);
  }

  /** Requests stalled now ({@link Behaviour#SLOW}), whose charges are still to be taken. */
  public long stalled() {
    return stalled.get();
  }

  /** Requests answered from a key already seen instead of charging again. */
  public long replays() {
    return replays.get();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
