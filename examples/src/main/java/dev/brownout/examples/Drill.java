package dev.brownout.examples;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.CoreConfig;
import dev.brownout.examples.booking.BookingApp;
import dev.brownout.examples.booking.Database;
import dev.brownout.examples.booking.PaymentService;
import dev.brownout.flags.Rollouts;
import dev.brownout.state.testservers.RedisTestServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.IOException;
import java.io.PrintStream;
import java.net.CookieManager;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The outage drill: two booking servers sharing one real Redis (embedded, persisted to disk), the
 * payment API and an H2 database, under steady browsing and booking traffic, while their
 * dependencies fail one by one. Each request is counted as ok, degraded as designed for that step
 * (a booking paid later, a 503 problem+json), or failed. It passes only if nothing failed, every
 * acknowledged booking is in the database, and every user's session holds their last acknowledged
 * booking on both servers.
 */
final class Drill {
  private static final String BROWSE_ONLY = "https://brownout.dev/problems/browse-only";
  private static final String SESSION_DOWN =
      "https://brownout.dev/problems/session-store-unavailable";
  private static final Pattern BOOKING =
      Pattern.compile("\"booking\":(\\d+),\"payment\":\"([^\"]+)\"");
  private static final int USERS = 6;

  /** What a step lets requests do besides succeeding. */
  enum Allowed {
    NOTHING,
    PAY_LATER,
    BROWSE_ONLY,
    SESSION_STORE_DOWN
  }

  /** One step's counts. */
  static final class Tally {
    final String step;
    final AtomicLong ok = new AtomicLong();
    final AtomicLong degraded = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    String note = "";

    Tally(String step) {
      this.step = step;
    }
  }

  /** A signed-in user with their own cookie jar. */
  static final class User {
    final String name;
    final HttpClient http;
    volatile long lastBooking = -1;

    User(String name) {
      this.name = name;
      this.http =
          HttpClient.newBuilder()
              .cookieHandler(new CookieManager())
              .connectTimeout(Duration.ofSeconds(2))
              .build();
    }
  }

  private final PrintStream out;
  private final int stepMillis;
  private final List<Tally> tallies = new ArrayList<>();
  private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
  private final List<String> checks = new ArrayList<>();
  private boolean checksPassed = true;
  private RedisTestServer redis;
  private PaymentService payments;
  private Database database;
  private final List<BookingApp> servers = new ArrayList<>();
  private final List<User> users = new ArrayList<>();
  private String token;

  private Drill(PrintStream out, int stepSeconds) {
    this.out = out;
    this.stepMillis = stepSeconds * 1000;
  }

  /** Runs the drill; true if every step behaved as designed. */
  static boolean run(DemoOptions options, PrintStream out) {
    Drill drill = new Drill(out, options.stepSeconds());
    try {
      return drill.run();
    } catch (Exception e) {
      out.println("The drill could not run: " + e);
      return false;
    } finally {
      drill.close();
    }
  }

  private boolean run() throws Exception {
    out.println("Starting the drill: Redis, the payment API, the database and two servers...");
    redis = RedisTestServer.durable();
    payments = PaymentService.start(0);
    Path dir = Files.createTempDirectory("brownout-drill");
    database = Database.open("jdbc:h2:file:" + dir.resolve("bookings"));
    BrownoutConfig config = DemoApplication.config(List.of("brownout.admin.port=0"));
    token = config.get(CoreConfig.ADMIN_WRITE_TOKENS).get(0);
    for (String name : List.of("server-a", "server-b")) {
      servers.add(
          BookingApp.start(
              new BookingApp.Options(
                  name, 0, config, redis.uri(), "brownout", database, payments.uri())));
    }
    for (int i = 0; i < USERS; i++) {
      User user = new User("guest-" + i);
      users.add(user);
      HttpResponse<String> signedIn = post(user, servers.get(i % 2), "signin", "user=" + user.name);
      if (signedIn.statusCode() != 200) {
        throw new IllegalStateException("cannot sign in: " + signedIn.body());
      }
    }
    out.println(
        "Servers: "
            + servers.get(0).siteUri()
            + " and "
            + servers.get(1).siteUri()
            + "; Redis "
            + redis.uri()
            + "; payment API "
            + payments.uri());
    out.println();

    step("1 baseline", Allowed.NOTHING, false, () -> {});

    Tally down =
        step(
            "2 payment API down",
            Allowed.PAY_LATER,
            false,
            () -> payments.behave(PaymentService.Behaviour.DOWN));
    boolean opened =
        servers.stream()
            .anyMatch(
                s ->
                    s.resilience().circuitBreaker("payments").getState()
                        != CircuitBreaker.State.CLOSED);
    // Plans are checked once a second: give the guard a few ticks to see the open breaker.
    boolean halted =
        await(
            () -> servers.get(0).rollouts().status("instant-book").state() == Rollouts.State.HALTED,
            5);
    down.note =
        (opened ? "breaker opened; bookings paid later" : "breaker did not open")
            + (halted ? "; instant-book rollout halted" : "");
    check("the payments breaker opened while the payment API was down", opened);
    check("the instant-book rollout halted itself while the breaker was open", halted);

    payments.behave(PaymentService.Behaviour.OK);
    Tally back = step("3 payment API back", Allowed.PAY_LATER, false, () -> sleep(2500));
    boolean closed =
        servers.stream()
            .allMatch(
                s ->
                    s.resilience().circuitBreaker("payments").getState()
                        == CircuitBreaker.State.CLOSED);
    back.note = closed ? "breakers closed again through half-open" : "a breaker is still open";
    check("the payments breakers closed again once the payment API answered", closed);

    Tally readOnly = step("4 database read-only", Allowed.BROWSE_ONLY, false, () -> reopen(true));
    boolean bothBrowseOnly = servers.stream().allMatch(s -> s.readMode().isBrowseOnly());
    readOnly.note = bothBrowseOnly ? "both servers browse-only; browsing 200" : "not browse-only";
    check("both servers went browse-only when the database refused writes", bothBrowseOnly);

    Tally writable =
        step(
            "5 database writable",
            Allowed.BROWSE_ONLY,
            false,
            () -> {
              reopen(false);
              await(() -> servers.stream().noneMatch(s -> s.readMode().isBrowseOnly()), 15);
            });
    writable.note = "a probe left browse-only";

    Tally redisDown =
        step(
            "6 Redis down",
            Allowed.SESSION_STORE_DOWN,
            true,
            () -> {
              warmSessions();
              redis.stop();
            });
    redisDown.note = "flags from snapshot; sessions served from cache";

    Tally redisBack =
        step(
            "7 Redis back",
            Allowed.SESSION_STORE_DOWN,
            true,
            () -> {
              redis.start();
              sleep(1500);
            });
    redisBack.note = "held session changes written back";

    Tally killed =
        step(
            "8 flag killed",
            Allowed.NOTHING,
            false,
            () -> {
              killFlag();
              await(this::featureOffEverywhere, 10);
            });
    killed.note = "instant-book off on both servers";

    verify();
    print();
    return tallies.stream().allMatch(t -> t.failed.get() == 0) && checksPassed;
  }

  private void reopen(boolean readOnly) {
    try {
      database.reopen(readOnly);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Each user's session loaded on the server it will stick to while Redis is down. */
  private void warmSessions() {
    for (int i = 0; i < users.size(); i++) {
      get(users.get(i), servers.get(i % 2), "me");
    }
  }

  private Tally step(String name, Allowed allowed, boolean sticky, Runnable before)
      throws Exception {
    Tally tally = new Tally(name);
    tallies.add(tally);
    out.println("Step " + name + "...");
    before.run();
    long end = System.nanoTime() + stepMillis * 1_000_000L;
    ExecutorService workers = Executors.newFixedThreadPool(users.size());
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < users.size(); i++) {
        User user = users.get(i);
        int index = i;
        running.add(
            workers.submit(
                () -> {
                  int n = 0;
                  while (System.nanoTime() < end) {
                    BookingApp server = servers.get(sticky ? index % 2 : (index + n) % 2);
                    drive(user, server, n++, allowed, tally);
                  }
                }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } finally {
      workers.shutdown();
    }
    return tally;
  }

  private void drive(User user, BookingApp server, int n, Allowed allowed, Tally tally) {
    try {
      HttpResponse<String> browse =
          get(user, server, n % 2 == 0 ? "listings?q=o" : "listings/" + (1 + n % 12));
      classify(browse, allowed, tally, false);
      if (n % 3 == 2) {
        HttpResponse<String> booked =
            post(user, server, "bookings", "listing=" + (1 + n % 12) + "&nights=" + (1 + n % 5));
        classify(booked, allowed, tally, true);
        if (booked.statusCode() == 201) {
          Matcher m = BOOKING.matcher(booked.body());
          if (m.find()) {
            long id = Long.parseLong(m.group(1));
            acknowledged.add(id);
            user.lastBooking = id;
          }
        }
      }
    } catch (RuntimeException e) {
      tally.failed.incrementAndGet();
      tally.failures.add(e.toString());
    }
  }

  private void classify(
      HttpResponse<String> response, Allowed allowed, Tally tally, boolean booking) {
    int status = response.statusCode();
    String body = response.body();
    boolean ok;
    boolean degraded = false;
    if (booking && status == 201) {
      boolean paidLater = body.contains("\"payment\":\"pending\"");
      ok = !paidLater;
      degraded = paidLater && allowed == Allowed.PAY_LATER;
    } else if (!booking && status == 200) {
      ok = true;
    } else if (status == 503 && body.contains(BROWSE_ONLY)) {
      ok = false;
      degraded = booking && allowed == Allowed.BROWSE_ONLY;
    } else if (status == 503 && body.contains(SESSION_DOWN)) {
      ok = false;
      degraded = allowed == Allowed.SESSION_STORE_DOWN;
    } else {
      ok = false;
    }
    if (ok) {
      tally.ok.incrementAndGet();
    } else if (degraded) {
      tally.degraded.incrementAndGet();
    } else {
      tally.failed.incrementAndGet();
      tally.failures.add(status + " " + body.substring(0, Math.min(160, body.length())));
    }
  }

  private void killFlag() {
    HttpResponse<String> killed =
        send(
            HttpClient.newHttpClient(),
            HttpRequest.newBuilder(
                    servers.get(0).admin().uri().resolve("api/v1/flags/instant-book"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Brownout-Reason", "drill: the feature misbehaves")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"enabled\":false}"))
                .build());
    check("the kill switch answered 200 (" + killed.statusCode() + ")", killed.statusCode() == 200);
  }

  private boolean featureOffEverywhere() {
    for (BookingApp server : servers) {
      for (User user : users) {
        if (get(user, server, "listings/1").body().contains("data-feature=\"instant-book\"")) {
          return false;
        }
      }
    }
    return true;
  }

  private void verify() throws SQLException {
    long missing = 0;
    for (long id : acknowledged) {
      if (!database.exists(id)) {
        missing++;
      }
    }
    check(
        "every acknowledged booking is in the database ("
            + acknowledged.size()
            + " acknowledged, "
            + database.bookings()
            + " stored)",
        missing == 0);
    boolean allPaid =
        await(
            () -> {
              try {
                return database.unpaid() == 0;
              } catch (SQLException e) {
                return false;
              }
            },
            20);
    check("every booking paid later was charged once the payment API answered", allPaid);
    boolean sessionsKept =
        await(
            () -> {
              for (User user : users) {
                for (BookingApp server : servers) {
                  String me = get(user, server, "me").body();
                  if (!me.contains(
                      "\"lastBooking\":" + (user.lastBooking < 0 ? "null" : user.lastBooking))) {
                    return false;
                  }
                }
              }
              return true;
            },
            15);
    check(
        "every user's session holds their last acknowledged booking on both servers", sessionsKept);
  }

  private void check(String what, boolean passed) {
    checks.add((passed ? "  ok     " : "  FAILED ") + what);
    checksPassed &= passed;
  }

  private void print() {
    out.println();
    out.printf("%-24s %8s %8s %9s %7s  %s%n", "step", "requests", "ok", "degraded", "failed", "");
    for (Tally t : tallies) {
      long total = t.ok.get() + t.degraded.get() + t.failed.get();
      out.printf(
          "%-24s %8d %8d %9d %7d  %s%n",
          t.step, total, t.ok.get(), t.degraded.get(), t.failed.get(), t.note);
    }
    out.println();
    out.println("Checks:");
    checks.forEach(out::println);
    for (Tally t : tallies) {
      for (String failure : t.failures.subList(0, Math.min(5, t.failures.size()))) {
        out.println("  failure in " + t.step + ": " + failure);
      }
    }
    out.println();
    boolean passed = tallies.stream().allMatch(t -> t.failed.get() == 0) && checksPassed;
    out.println(
        passed ? "PASSED: every step behaved as designed." : "FAILED: see the failures above.");
  }

  private HttpResponse<String> get(User user, BookingApp server, String path) {
    return send(
        user.http,
        HttpRequest.newBuilder(server.siteUri().resolve(path))
            .timeout(Duration.ofSeconds(10))
            .build());
  }

  private HttpResponse<String> post(User user, BookingApp server, String path, String form) {
    return send(
        user.http,
        HttpRequest.newBuilder(server.siteUri().resolve(path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build());
  }

  private static HttpResponse<String> send(HttpClient http, HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean await(BooleanSupplier condition, int seconds) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return true;
        }
      } catch (RuntimeException e) {
        // not yet
      }
      sleep(100);
    }
    return false;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void close() {
    for (BookingApp server : servers) {
      server.close();
    }
    if (payments != null) {
      payments.close();
    }
    if (redis != null) {
      try {
        redis.close();
      } catch (RuntimeException e) {
        // already stopped
      }
    }
  }
}
