package dev.brownout.flags;

import static dev.brownout.flags.AdminCalls.json;
import static dev.brownout.flags.AdminCalls.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.core.time.ManualClock;
import dev.brownout.state.InMemoryStateStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rollout plans created and steered over the admin API: ETags, audit, refusals that say why. */
class RolloutRoutesTest {
  final ManualClock clock = new ManualClock();
  final InMemoryStateStore store = InMemoryStateStore.builder().clock(clock).build();
  final InMemoryAuditSink audit = new InMemoryAuditSink(1000);
  final Flags flags = Flags.builder(store).clock(clock).auditSink(audit).build();
  final Rollouts rollouts =
      Rollouts.builder(flags)
          .clock(clock)
          .breakers(BreakerStates.of(() -> Set.of("payments"), name -> "CLOSED"))
          .manualTicks()
          .build();
  final AdminCalls api = new AdminCalls(flags.adminRoutes(), audit);

  static final String PLAN =
      "{\"flag\":\"checkout\",\"steps\":[10,50,100],\"every\":\"10m\","
          + "\"guards\":[{\"breaker\":\"payments\"}]}";

  @AfterEach
  void close() {
    rollouts.close();
    flags.close();
  }

  List<String> actions() {
    return audit.recent(1000).stream().map(AuditRecord::action).toList();
  }

  @Test
  void aPlanIsCreatedSteeredAndDeletedOverHttpWithEachMoveAuditedOnce() {
    flags.admin().create(FlagDefinition.rollout("checkout", 0));

    AdminResponse created =
        api.write("POST", "/api/v1/rollouts", PLAN, "Brownout-Reason", "launch week");
    assertThat(created.status()).as(text(created)).isEqualTo(201);
    assertThat(created.headers()).containsEntry("Location", "/api/v1/rollouts/checkout");
    assertThat(json(created))
        .containsEntry("state", "RUNNING")
        .containsEntry("percentage", 10.0)
        .containsEntry("every", "10m");
    assertThat(FlagAdmin.percentage(flags.snapshot().definition("checkout").orElseThrow()))
        .isEqualTo(10);

    String etag = created.headers().get("ETag");
    AdminResponse got = api.read("/api/v1/rollouts/checkout");
    assertThat(got.headers()).containsEntry("ETag", etag);
    assertThat(text(got)).contains("\"history\":[").contains("\"steps\":[10.0,50.0,100.0]");
    assertThat(text(api.read("/api/v1/rollouts"))).contains("\"flag\":\"checkout\"");

    AdminResponse advanced =
        api.write("POST", "/api/v1/rollouts/checkout/advance", null, "If-Match", etag);
    assertThat(advanced.status()).as(text(advanced)).isEqualTo(200);
    assertThat(json(advanced)).containsEntry("percentage", 50.0);

    AdminResponse stale =
        api.write("POST", "/api/v1/rollouts/checkout/pause", null, "If-Match", etag);
    assertThat(stale.status()).isEqualTo(412);
    assertThat(json(stale)).containsEntry("currentETag", advanced.headers().get("ETag"));

    assertThat(api.write("POST", "/api/v1/rollouts/checkout/pause", null).status()).isEqualTo(200);
    AdminResponse again = api.write("POST", "/api/v1/rollouts/checkout/pause", null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(json(again))
        .containsEntry("type", "https://brownout.dev/problems/rollout-state")
        .extractingByKey("detail")
        .asString()
        .contains("it is paused");

    assertThat(api.write("POST", "/api/v1/rollouts/checkout/resume", null).status()).isEqualTo(200);
    AdminResponse delete = api.write("DELETE", "/api/v1/rollouts/checkout", null);
    assertThat(delete.status()).isEqualTo(409);
    assertThat(json(delete).get("detail").toString()).contains("abort it first");
    assertThat(api.write("POST", "/api/v1/rollouts/checkout/abort", null).status()).isEqualTo(200);
    assertThat(api.write("DELETE", "/api/v1/rollouts/checkout", null).status()).isEqualTo(204);
    assertThat(api.read("/api/v1/rollouts/checkout").status()).isEqualTo(404);

    assertThat(actions())
        .containsExactly(
            "rollouts.delete",
            "rollouts.abort",
            "rollouts.resume",
            "rollouts.pause",
            "rollouts.advance",
            "rollouts.create");
    AuditRecord first = audit.recent(1000).get(5);
    assertThat(first.actor()).isEqualTo("ops");
    assertThat(first.reason()).isEqualTo("launch week");
    assertThat(first.target()).isEqualTo("rollout checkout");
  }

  @Test
  void aKillOverHttpPausesThePlanAndTheConsoleCanSeeWhy() {
    flags.admin().create(FlagDefinition.rollout("checkout", 0));
    api.write("POST", "/api/v1/rollouts", PLAN);
    AdminResponse killed = api.write("PATCH", "/api/v1/flags/checkout", "{\"enabled\":false}");
    assertThat(killed.status()).isEqualTo(200);
    long version = flags.admin().get("checkout").orElseThrow().version();
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofMinutes(10));
      rollouts.tick();
    }
    assertThat(flags.admin().get("checkout").orElseThrow().version()).isEqualTo(version);
    Map<String, Object> plan = json(api.read("/api/v1/rollouts/checkout"));
    assertThat(plan).containsEntry("state", "PAUSED");
    assertThat(plan.get("reason").toString()).contains("changed by hand");
    assertThat(text(api.read("/api/v1/flags"))).contains("\"rollout\":\"PAUSED\"");
    // The pause is recorded while the change is made; the admin API records the change after.
    assertThat(actions()).containsSubsequence("flags.patch", "flags.rollout.pause");

    AdminResponse resume = api.write("POST", "/api/v1/rollouts/checkout/resume", null);
    assertThat(resume.status()).isEqualTo(409);
    assertThat(json(resume).get("detail").toString()).contains("is killed");
  }

  @Test
  void badPlansAre400WithEveryProblemAndChangeNothing() {
    flags.admin().create(FlagDefinition.rollout("checkout", 0));
    AdminResponse bad =
        api.write(
            "POST",
            "/api/v1/rollouts",
            "{\"flag\":\"checkout\",\"steps\":[50,20,100],\"every\":\"later\","
                + "\"guards\":[{\"breaker\":\"payments\",\"above\":3},{\"meter\":\"x\"}]}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(json(bad)).containsEntry("type", "https://brownout.dev/problems/invalid-rollout");
    assertThat((List<?>) json(bad).get("problems"))
        .asString()
        .contains("every: 'later' is not a positive duration")
        .contains("guards[0]: a breaker guard takes only 'breaker'")
        .contains("guards[1].above: must be a number")
        .contains("guards[1].window: is missing")
        .contains("steps must rise");

    AdminResponse unknownBreaker =
        api.write(
            "POST",
            "/api/v1/rollouts",
            "{\"flag\":\"checkout\",\"steps\":[10,100],\"guards\":[{\"breaker\":\"shipping\"}]}");
    assertThat(unknownBreaker.status()).isEqualTo(400);
    assertThat(text(unknownBreaker)).contains("there is no breaker 'shipping'");

    AdminResponse jump =
        api.write("POST", "/api/v1/rollouts", "{\"flag\":\"checkout\",\"steps\":[100]}");
    assertThat(jump.status()).isEqualTo(400);
    assertThat(text(jump)).contains("confirm=true");
    assertThat(
            api.write(
                    "POST",
                    "/api/v1/rollouts?confirm=true",
                    "{\"flag\":\"checkout\",\"steps\":[100]}")
                .status())
        .isEqualTo(201);

    AdminResponse missing =
        api.write("POST", "/api/v1/rollouts", "{\"flag\":\"ghost\",\"steps\":[10,100]}");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(text(missing)).contains("no flag 'ghost'");
    assertThat(actions()).containsExactly("rollouts.create");
  }

  @Test
  void readTokensCanLookButNotSteer() {
    flags.admin().create(FlagDefinition.rollout("checkout", 0));
    api.write("POST", "/api/v1/rollouts", PLAN);
    assertThat(api.read("/api/v1/rollouts/checkout").status()).isEqualTo(200);
    assertThat(api.call("POST", "/api/v1/rollouts/checkout/pause", AdminCalls.READ, null).status())
        .isEqualTo(403);
  }

  @Test
  void withoutARunnerTheRoutesSaySo() {
    try (Flags bare = Flags.builder(InMemoryStateStore.create()).build()) {
      AdminCalls noRunner = new AdminCalls(bare.adminRoutes(), audit);
      AdminResponse response = noRunner.read("/api/v1/rollouts");
      assertThat(response.status()).isEqualTo(404);
      assertThat(text(response)).contains("build Rollouts.builder(flags)");
    }
  }
}
