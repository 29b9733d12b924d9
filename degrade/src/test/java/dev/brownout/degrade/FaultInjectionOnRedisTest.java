package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.state.redis.RedisStateStore;
import dev.brownout.state.testservers.Await;
import dev.brownout.state.testservers.RedisTestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A game day on two servers sharing one real Redis, used as an operator would: an experiment
 * started through one server's admin API reaches its share of units on both, stops at its declared
 * end on both, and every start, stop and end is in the audit trail; a server where fault injection
 * is off runs nothing.
 */
class FaultInjectionOnRedisTest {
  static final String WRITE = "write-token-0123456789abcdef";

  RedisTestServer redis;
  final List<AutoCloseable> closing = new ArrayList<>();
  // Both servers' admin APIs write to one trail, as they would to one log service.
  final InMemoryAuditSink audit = new InMemoryAuditSink(100);

  @BeforeEach
  void start() {
    redis = new RedisTestServer();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    redis.close();
  }

  public interface Listings {
    String show(String unit);
  }

  record Server(FaultInjection faults, AdminApi admin, Listings listings) {}

  Server server(boolean enabled) {
    RedisStateStore store =
        RedisStateStore.builder().uri(redis.uri()).timeout(Duration.ofSeconds(1)).build();
    closing.add(0, store);
    // The unit is the call's argument here: each call stands for one user's request.
    ThreadLocal<String> unit = new ThreadLocal<>();
    FaultInjection faults =
        FaultInjection.builder(store)
            .enabled(enabled)
            .refreshInterval(Duration.ofMillis(200))
            .auditSink(audit)
            .unitResolver(() -> java.util.Optional.ofNullable(unit.get()))
            .build();
    closing.add(0, faults);
    AdminApi admin =
        AdminApi.builder()
            .authenticator(BearerTokenAuthenticator.builder().writeToken("ops", WRITE).build())
            .auditSink(audit)
            .routes(faults.adminRoutes())
            .build();
    Listings guarded =
        GuardedProxies.builder().add(faults.guards()).build().proxy(Listings.class, u -> "ok " + u);
    Listings byUnit =
        u -> {
          unit.set(u);
          try {
            return guarded.show(u);
          } finally {
            unit.remove();
          }
        };
    return new Server(faults, admin, byUnit);
  }

  static AdminResponse call(AdminApi api, String method, String path, String body) {
    AdminRequest.Builder request =
        AdminRequest.builder(method, path)
            .header("Authorization", "Bearer " + WRITE)
            .header(AdminRequest.REASON_HEADER, "game day");
    if (body != null) {
      request.body(body).header("Content-Type", "application/json");
    }
    return api.handle(request.build());
  }

  /** The units of {@code count} whose calls fail on {@code server}. */
  static Set<Integer> hit(Server server, int count) {
    Set<Integer> hit = new HashSet<>();
    for (int u = 0; u < count; u++) {
      try {
        server.listings().show("user-" + u);
      } catch (InjectedFaultException e) {
        hit.add(u);
      }
    }
    return hit;
  }

  @Test
  void anExperimentReachesItsShareOfUnitsOnBothServersAndEndsOnBothAtItsExpiry() {
    Server a = server(true);
    Server b = server(true);
    Server off = server(false);

    AdminResponse started =
        call(
            a.admin(),
            "PUT",
            "/api/v1/faults/listings-fail",
            "{\"fault\":\"exception\",\"calls\":[\"Listings.show\"],\"percentage\":20,"
                + "\"duration\":\"PT3S\"}");
    assertThat(started.status()).isEqualTo(200);
    Instant endsAt = a.faults().running().get(0).endsAt();
    Await.until("server b runs the experiment", () -> !b.faults().running().isEmpty());

    int units = 5_000;
    Set<Integer> onA = hit(a, units);
    Set<Integer> onB = hit(b, units);
    double share = onA.size() / (double) units;
    // Three standard deviations of a binomial share: 3 * sqrt(0.2 * 0.8 / 5 000) = 1.7 %.
    System.out.printf(
        "experiment hit %d of %d units (%.2f %%, target 20 %%)%n", onA.size(), units, share * 100);
    assertThat(share).isBetween(0.2 - 0.017, 0.2 + 0.017);
    assertThat(onB).as("the same units on every server").isEqualTo(onA);
    assertThat(hit(off, units)).as("a server with fault injection off runs nothing").isEmpty();
    assertThat(call(off.admin(), "PUT", "/api/v1/faults/x", "{}").status()).isEqualTo(409);

    // Both servers stop at the declared end by their own clocks, whoever removes the record.
    Await.until(
        "the experiment's end",
        Duration.ofSeconds(10),
        Duration.ofMillis(10),
        () -> !Instant.now().isBefore(endsAt));
    assertThat(hit(a, 500)).isEmpty();
    assertThat(hit(b, 500)).isEmpty();
    Await.until(
        "one server removes and audits the ended experiment",
        () -> audit.recent(100).stream().anyMatch(r -> r.action().equals("faults.expire")));
    Await.until(
        "both servers forget it",
        () -> a.faults().running().isEmpty() && b.faults().running().isEmpty());

    // A stop through the other server holds on both.
    assertThat(
            call(
                    b.admin(),
                    "PUT",
                    "/api/v1/faults/listings-slow",
                    "{\"fault\":\"exception\",\"calls\":[\"*\"],\"duration\":\"PT10M\"}")
                .status())
        .isEqualTo(200);
    Await.until("server a runs the second experiment", () -> !a.faults().running().isEmpty());
    assertThat(call(a.admin(), "DELETE", "/api/v1/faults/listings-slow", null).status())
        .isEqualTo(204);
    Await.until("the stop reaches server b", () -> b.faults().running().isEmpty());
    assertThat(hit(b, 100)).isEmpty();

    List<String> actions = new ArrayList<>();
    for (AuditRecord record : audit.recent(100)) {
      actions.add(0, record.action() + " " + record.target());
    }
    assertThat(actions)
        .containsExactly(
            "faults.start fault/listings-fail",
            "faults.expire fault/listings-fail",
            "faults.start fault/listings-slow",
            "faults.stop fault/listings-slow");
    assertThat(audit.recent(100).get(0).reason()).isEqualTo("game day");
    assertThat(
            new String(
                call(a.admin(), "GET", "/api/v1/faults", null).body(), StandardCharsets.UTF_8))
        .contains("\"enabled\":true", "\"experiments\":[]");
  }
}
