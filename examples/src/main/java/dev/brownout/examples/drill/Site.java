package dev.brownout.examples.drill;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.CoreConfig;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.degrade.OverloadMeters;
import dev.brownout.degrade.ResilienceMeters;
import dev.brownout.degrade.WritePath;
import dev.brownout.examples.DemoApplication;
import dev.brownout.examples.booking.BookingApp;
import dev.brownout.examples.booking.Database;
import dev.brownout.examples.booking.PaymentService;
import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What the drill runs: two booking servers sharing a state store, two payment providers, an H2
 * database in a temporary file, and six signed-in users; with what the faults need to look at it.
 */
final class Site implements AutoCloseable {
  static final List<String> SERVERS = List.of("server-a", "server-b");
  static final int USERS = 6;
  static final String INSTANT_BOOK = "instant-book";
  // A flag of the drill's own, half on, to see flags keep answering while the store is away.
  static final String CANARY = "drill-canary";
  static final int VISITORS = 200;

  final List<PaymentService> payments = new ArrayList<>();
  final List<BookingApp> servers = new ArrayList<>();
  final List<Traffic.User> users = new ArrayList<>();
  final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
  final List<Integer> adminAnswers = new CopyOnWriteArrayList<>();
  private @Nullable Database database;
  private String token = "";

  /** Starts everything on {@code store}, signs the users in, and says where things are. */
  void start(Drill.Store store, PrintStream out) throws Exception {
    long began = System.nanoTime();
    out.println(
        "Starting the drill: "
            + store.name()
            + ", two payment providers, the database and two servers...");
    for (int i = 0; i < 2; i++) {
      payments.add(PaymentService.start(BookingApp.providerName(i), 0));
    }
    Path dir = Files.createTempDirectory("brownout-drill");
    database = Database.open("jdbc:h2:file:" + dir.resolve("bookings"));
    BrownoutConfig config = DemoApplication.config(List.of("brownout.admin.port=0"));
    token = config.get(CoreConfig.ADMIN_WRITE_TOKENS).get(0);
    List<URI> providers = payments.stream().map(PaymentService::uri).toList();
    for (String name : SERVERS) {
      servers.add(
          BookingApp.start(
              new BookingApp.Options(
                  name, 0, config, store.uri(), "brownout", database, providers)));
    }
    servers.get(0).flags().admin().create(FlagDefinition.rollout(CANARY, 50));
    if (!await(() -> servers.stream().allMatch(s -> featureOn(s, CANARY) > 0), 10)) {
      throw new IllegalStateException("the canary flag did not reach both servers");
    }
    for (int i = 0; i < USERS; i++) {
      Traffic.User user = new Traffic.User("guest-" + i, i % SERVERS.size());
      users.add(user);
      HttpResponse<String> signedIn =
          send(user.http, Traffic.post(servers.get(user.home), "signin", "user=" + user.name));
      if (signedIn.statusCode() != 200) {
        throw new IllegalStateException("cannot sign in: " + signedIn.body());
      }
    }
    out.println(
        "Servers "
            + servers.stream().map(s -> s.siteUri().toString()).collect(Collectors.joining(" and "))
            + "; "
            + store.name()
            + " at "
            + store.uri()
            + "; payment providers "
            + payments.stream()
                .map(p -> p.name() + " " + p.uri())
                .collect(Collectors.joining(" and "))
            + String.format(" (ready in %.1f s)", (System.nanoTime() - began) / 1e9));
    out.println();
  }

  Database database() {
    if (database == null) {
      throw new IllegalStateException("the drill has not started");
    }
    return database;
  }

  static String writePathReason(String server) {
    return WritePath.REASON_ID + ":" + server;
  }

  static CircuitBreaker.State breaker(BookingApp server, String provider) {
    return server.resilience().circuitBreaker(provider).getState();
  }

  static double timeouts(BookingApp server) {
    return server.meters().find(ResilienceMeters.TIMEOUTS.name()).counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  /** How many of the visitors and drill users see {@code flag} on this server. */
  int featureOn(BookingApp server, String flag) {
    int on = 0;
    for (int i = 0; i < VISITORS; i++) {
      if (server.flags().isEnabled(flag, FlagContext.of("visitor-" + i))) {
        on++;
      }
    }
    for (Traffic.User user : users) {
      if (server.flags().isEnabled(flag, FlagContext.of(user.name))) {
        on++;
      }
    }
    return on;
  }

  void patchInstantBook(BookingApp server, boolean enabled) {
    HttpResponse<String> answer =
        send(
            HttpClient.newHttpClient(),
            HttpRequest.newBuilder(server.admin().uri().resolve("api/v1/flags/" + INSTANT_BOOK))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header(
                    "Brownout-Reason", "drill: " + (enabled ? "revived" : "the feature misbehaves"))
                .method(
                    "PATCH", HttpRequest.BodyPublishers.ofString("{\"enabled\":" + enabled + "}"))
                .build());
    adminAnswers.add(answer.statusCode());
  }

  /** The operator resumes the instant-book plan, which the kill paused (the operator wins). */
  int resumeInstantBook(BookingApp server) {
    HttpResponse<String> answer =
        send(
            HttpClient.newHttpClient(),
            HttpRequest.newBuilder(
                    server.admin().uri().resolve("api/v1/rollouts/" + INSTANT_BOOK + "/resume"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .header("Brownout-Reason", "drill: revived, plan resumed")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    return answer.statusCode();
  }

  /**
   * The operator starts fault-injection experiment {@code id} through {@code server}'s admin API,
   * with {@code body} as its definition; the answer's status.
   */
  int startExperiment(BookingApp server, String id, String body) {
    HttpResponse<String> answer =
        send(
            HttpClient.newHttpClient(),
            admin(server, "api/v1/faults/" + id)
                .header("Content-Type", "application/json")
                .header("Brownout-Reason", "drill: game day")
                .PUT(HttpRequest.BodyPublishers.ofString(body))
                .build());
    adminAnswers.add(answer.statusCode());
    return answer.statusCode();
  }

  /**
   * The operator stops experiment {@code id} through {@code server}'s admin API, if it is there.
   */
  void stopExperiment(BookingApp server, String id) {
    send(
        HttpClient.newHttpClient(),
        admin(server, "api/v1/faults/" + id)
            .header("Brownout-Reason", "drill: the experiment did not end by itself")
            .DELETE()
            .build());
  }

  /** Whether {@code server}'s admin API lists experiment {@code id}, read from the store now. */
  boolean experimentListed(BookingApp server, String id) {
    HttpResponse<String> answer =
        send(HttpClient.newHttpClient(), admin(server, "api/v1/faults").GET().build());
    if (answer.statusCode() != 200) {
      throw new IllegalStateException("GET /api/v1/faults answered " + answer.statusCode());
    }
    return answer.body().contains("\"id\":\"" + id + "\"");
  }

  /**
   * The actions of the audit trail that {@code server}'s admin API shows for {@code target}, oldest
   * first.
   */
  List<String> auditActions(BookingApp server, String target) {
    HttpResponse<String> answer =
        send(HttpClient.newHttpClient(), admin(server, "api/v1/audit?limit=1000").GET().build());
    if (answer.statusCode() != 200) {
      throw new IllegalStateException("GET /api/v1/audit answered " + answer.statusCode());
    }
    List<?> records =
        (List<?>) JsonCodec.standard().decode(answer.body(), Map.class).get("records");
    List<String> actions = new ArrayList<>();
    for (Object record : records) {
      Map<?, ?> fields = (Map<?, ?>) record;
      if (target.equals(fields.get("target"))) {
        actions.add(0, String.valueOf(fields.get("action")));
      }
    }
    return actions;
  }

  /** Faults {@code server} injected for experiment {@code id}. */
  static double injected(BookingApp server, String id) {
    return server
        .meters()
        .find(OverloadMeters.FAULTS_INJECTED.name())
        .tag("experiment", id)
        .counters()
        .stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  private HttpRequest.Builder admin(BookingApp server, String path) {
    return HttpRequest.newBuilder(server.admin().uri().resolve(path))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token);
  }

  void reopen(boolean readOnly) {
    try {
      database().reopen(readOnly);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Each user's session loaded on the server it sticks to while the store is away. */
  void warmSessions() {
    for (Traffic.User user : users) {
      send(user.http, Traffic.get(servers.get(user.home), "me"));
    }
  }

  static HttpResponse<String> send(HttpClient http, HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static boolean await(BooleanSupplier condition, int seconds) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return true;
        }
      } catch (RuntimeException e) {
        // not yet
      }
      Traffic.pause(100);
    }
    return false;
  }

  @Override
  public void close() {
    for (BookingApp server : servers) {
      server.close();
    }
    payments.forEach(PaymentService::close);
  }
}
