package dev.brownout.examples.drill;

import dev.brownout.examples.booking.BookingApp;
import java.io.IOException;
import java.net.CookieManager;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One step's traffic: each signed-in user browses and books in a loop, on alternate servers (or on
 * their own, in a sticky step), and a prober signs in on one server and reads its session on the
 * other, the normal answer a shared session store gives. Every answer goes to the step's tally.
 */
final class Traffic implements AutoCloseable {
  /** A signed-in user with their own cookie jar. */
  static final class User {
    final String name;
    final int home;
    final HttpClient http = client();
    volatile long lastBooking = -1;

    User(String name, int home) {
      this.name = name;
      this.home = home;
    }
  }

  private record Asked(Answer answer, HttpResponse<String> response) {}

  private final List<BookingApp> servers;
  private final List<User> users;
  private final Step step;
  private final StepTally tally;
  private final Set<Long> acknowledged;
  private final ExecutorService threads;
  private final List<Future<?>> running = new ArrayList<>();
  private volatile boolean stopped;

  Traffic(List<BookingApp> servers, List<User> users, StepTally tally, Set<Long> acknowledged) {
    this.servers = servers;
    this.users = users;
    this.step = tally.step;
    this.tally = tally;
    this.acknowledged = acknowledged;
    this.threads = Executors.newFixedThreadPool(users.size() + 1);
  }

  static HttpClient client() {
    return HttpClient.newBuilder()
        .cookieHandler(new CookieManager())
        .connectTimeout(Duration.ofSeconds(2))
        .build();
  }

  Traffic start() {
    for (int i = 0; i < users.size(); i++) {
      User user = users.get(i);
      running.add(threads.submit(() -> browseAndBook(user)));
    }
    running.add(threads.submit(this::probeSharedSessions));
    return this;
  }

  private void browseAndBook(User user) {
    int n = 0;
    while (!stopped) {
      BookingApp server = servers.get(step.sticky ? user.home : (user.home + n) % servers.size());
      ask(
          user.name,
          Answer.Request.BROWSE,
          user.http,
          get(server, n % 2 == 0 ? "listings?q=o" : "listings/" + (1 + n % 12)),
          user.name);
      if (n % 3 == 2) {
        Asked booked =
            ask(
                user.name,
                Answer.Request.BOOK,
                user.http,
                post(server, "bookings", "listing=" + (1 + n % 12) + "&nights=" + (1 + n % 5)),
                user.name);
        if (booked != null) {
          Answer.Booking booking = Answer.booking(booked.response());
          if (booked.response().statusCode() == 201 && booking.id() >= 0) {
            acknowledged.add(booking.id());
            user.lastBooking = booking.id();
          }
          if (booking.id() >= 0) {
            tally.bookings.add(
                new StepTally.Booked(user.name, booking.id(), booked.answer(), System.nanoTime()));
          }
        }
      }
      n++;
    }
  }

  /** Signs a new user in on one server and reads the session on the other. */
  private void probeSharedSessions() {
    int k = 0;
    while (!stopped) {
      String name = "probe-" + k;
      HttpClient fresh = client();
      BookingApp in = servers.get(k % servers.size());
      BookingApp other = servers.get((k + 1) % servers.size());
      k++;
      Asked signedIn =
          ask(name, Answer.Request.SIGN_IN, fresh, post(in, "signin", "user=" + name), name);
      if (signedIn != null && signedIn.answer() == Answer.OK) {
        ask(name, Answer.Request.WHO_AM_I, fresh, get(other, "me"), name);
      }
      pause(100);
    }
  }

  private @Nullable Asked ask(
      String user, Answer.Request kind, HttpClient http, HttpRequest request, String expected) {
    long start = System.nanoTime();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      tally.unanswered(request.method() + " " + request.uri() + ": " + e);
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    long end = System.nanoTime();
    Answer answer = Answer.of(kind, response, expected);
    boolean affected = step.onlyUser == null || step.onlyUser.equals(user);
    boolean designed =
        answer == Answer.OK
            || (affected
                && (step.designed.contains(answer)
                    || (start >= tally.healedAt && step.designedWhileHealing.contains(answer))));
    String body = response.body();
    tally.answered(
        answer,
        end - start,
        designed,
        request.method()
            + " "
            + request.uri().getPath()
            + " ("
            + user
            + "): "
            + response.statusCode()
            + " "
            + body.substring(0, Math.min(160, body.length())));
    if (affected && designed && answer != Answer.OK) {
      tally.degraded(end);
    }
    if (affected
        && answer == Answer.OK
        && ((step.recovery == Step.Recovery.BOOKING && kind == Answer.Request.BOOK)
            || (step.recovery == Step.Recovery.SHARED_SESSION
                && kind == Answer.Request.WHO_AM_I))) {
      tally.normal(start, end);
    }
    return new Asked(answer, response);
  }

  static HttpRequest get(BookingApp server, String path) {
    return HttpRequest.newBuilder(server.siteUri().resolve(path))
        .timeout(Duration.ofSeconds(10))
        .build();
  }

  static HttpRequest post(BookingApp server, String path, String form) {
    return HttpRequest.newBuilder(server.siteUri().resolve(path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form))
        .build();
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the loops after their current request, and waits for them. */
  @Override
  public void close() {
    stopped = true;
    for (Future<?> loop : running) {
      try {
        loop.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        tally.unanswered("a traffic loop did not end: " + e);
      }
    }
    threads.shutdownNow();
  }
}
