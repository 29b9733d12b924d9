package dev.brownout.flags;

import static dev.brownout.flags.AdminCalls.json;
import static dev.brownout.flags.AdminCalls.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.core.time.ManualClock;
import dev.brownout.state.redis.RedisStateStore;
import dev.brownout.state.testservers.Await;
import dev.brownout.state.testservers.RedisTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two servers on one real Redis, each checking plans every 20 ms on its own thread, with one manual
 * clock deciding when steps are due: a plan created over HTTP on one server runs once, on both; a
 * kill on the other pauses it everywhere and the flag's version stops changing; abort and resume
 * hold on both.
 */
class RolloutsOnRedisTest {
  RedisTestServer redis;
  final ManualClock clock = new ManualClock();
  final InMemoryAuditSink audit = new InMemoryAuditSink(10_000);
  final List<AutoCloseable> closing = new ArrayList<>();

  /** One server: its store client, flags, plan runner and admin API. */
  record Server(Flags flags, Rollouts rollouts, AdminCalls api) {}

  @BeforeEach
  void start() {
    redis = new RedisTestServer();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    redis.stop();
  }

  Server server() {
    RedisStateStore store =
        RedisStateStore.builder().uri(redis.uri()).timeout(Duration.ofMillis(500)).build();
    closing.add(store);
    Flags flags =
        Flags.builder(store)
            .clock(clock)
            .auditSink(audit)
            .refreshInterval(Duration.ofMillis(200))
            .build();
    closing.add(flags);
    Rollouts rollouts =
        Rollouts.builder(flags).clock(clock).tickInterval(Duration.ofMillis(20)).build();
    closing.add(rollouts);
    return new Server(flags, rollouts, new AdminCalls(flags.adminRoutes(), audit));
  }

  static void await(String what, BooleanSupplier condition) {
    Await.until(what, Duration.ofSeconds(10), Duration.ofMillis(5), condition);
  }

  long count(String action) {
    return audit.recent(10_000).stream().map(AuditRecord::action).filter(action::equals).count();
  }

  static double percentage(Server server) {
    return server.flags().snapshot().definition("checkout").map(FlagAdmin::percentage).orElse(-1.0);
  }

  @Test
  void aPlanCreatedOverHttpOnOneServerRunsOnceOnBoth() throws Exception {
    Server first = server();
    Server second = server();
    first.flags().admin().create(FlagDefinition.rollout("checkout", 0));
    var created =
        first
            .api()
            .write(
                "POST",
                "/api/v1/rollouts",
                "{\"flag\":\"checkout\",\"steps\":[10,50,100],\"every\":\"10m\"}");
    assertThat(created.status()).as(text(created)).isEqualTo(201);
    await("the first step on the second server", () -> percentage(second) == 10);

    for (double step : new double[] {50, 100}) {
      clock.advance(Duration.ofMinutes(10));
      await(
          "step " + step + " on both",
          () -> percentage(first) == step && percentage(second) == step);
    }
    // Both servers go on checking for a while: nothing moves twice.
    Thread.sleep(300);
    assertThat(count("flags.rollout.step")).as("each step once").isEqualTo(2);
    assertThat(count("rollouts.create")).isEqualTo(1);
    assertThat(second.rollouts().status("checkout").state()).isEqualTo(Rollouts.State.COMPLETED);
    assertThat(json(second.api().read("/api/v1/rollouts/checkout")))
        .containsEntry("state", "COMPLETED");
  }

  @Test
  void aKillOnTheOtherServerPausesThePlanOnBothAndTheFlagStopsChanging() throws Exception {
    Server first = server();
    Server second = server();
    first.flags().admin().create(FlagDefinition.rollout("checkout", 0));
    first
        .api()
        .write(
            "POST",
            "/api/v1/rollouts",
            "{\"flag\":\"checkout\",\"steps\":[10,50,100],\"every\":\"10m\"}");
    await("the first step on the second server", () -> percentage(second) == 10);

    var killed =
        second
            .api()
            .write(
                "PATCH",
                "/api/v1/flags/checkout",
                "{\"enabled\":false}",
                "Brownout-Reason",
                "payments failing");
    assertThat(killed.status()).isEqualTo(200);
    long version = second.flags().admin().get("checkout").orElseThrow().version();
    await(
        "paused, seen from the first server",
        () -> first.rollouts().status("checkout").state() == Rollouts.State.PAUSED);

    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofMinutes(10));
      Thread.sleep(100);
    }
    assertThat(first.flags().admin().get("checkout").orElseThrow().version())
        .as("no write after the kill, on either server")
        .isEqualTo(version);
    await(
        "the kill on the first server",
        () -> first.flags().snapshot().version("checkout").orElse(0L) == version);
    assertThat(first.flags().isEnabled("checkout", FlagContext.of("anyone"))).isFalse();
    assertThat(count("flags.rollout.step")).isZero();
    assertThat(count("flags.rollout.pause")).isEqualTo(1);

    // Released and resumed on the first server; aborted on the second.
    first.api().write("PATCH", "/api/v1/flags/checkout", "{\"enabled\":true}");
    var resumed = first.api().write("POST", "/api/v1/rollouts/checkout/resume", null);
    assertThat(resumed.status()).as(text(resumed)).isEqualTo(200);
    clock.advance(Duration.ofMinutes(10));
    await("the next step after resuming", () -> percentage(second) == 50);
    var aborted = second.api().write("POST", "/api/v1/rollouts/checkout/abort", null);
    assertThat(aborted.status()).isEqualTo(200);
    long afterAbort = first.flags().admin().get("checkout").orElseThrow().version();
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofMinutes(10));
      Thread.sleep(100);
    }
    assertThat(first.rollouts().status("checkout").state()).isEqualTo(Rollouts.State.ABORTED);
    assertThat(first.flags().admin().get("checkout").orElseThrow().version()).isEqualTo(afterAbort);
    assertThat(percentage(first)).isEqualTo(50);
  }
}
