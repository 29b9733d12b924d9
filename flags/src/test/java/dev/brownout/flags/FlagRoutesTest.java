package dev.brownout.flags;

import static dev.brownout.flags.AdminCalls.json;
import static dev.brownout.flags.AdminCalls.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.ManualClock;
import dev.brownout.state.ForwardingStateStore;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.Watch;
import dev.brownout.state.WatchListener;
import dev.brownout.state.WriteResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The flag routes on the admin API: rights, validation, ETags, audit, and what operators ask. */
class FlagRoutesTest {
  /** A store that can be taken down: every call fails as an unreachable store does. */
  static final class SwitchableStore extends ForwardingStateStore {
    final AtomicBoolean down = new AtomicBoolean();

    SwitchableStore(InMemoryStateStore store) {
      super(store);
    }

    private void check() {
      if (down.get()) {
        throw new StateUnavailableException("the test store is down", null);
      }
    }

    @Override
    public Optional<StateRecord> read(Namespace namespace, String key) {
      check();
      return super.read(namespace, key);
    }

    @Override
    public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
      check();
      return super.read(namespace, key, fields);
    }

    @Override
    public WriteResult update(Namespace namespace, String key, Update update) {
      check();
      return super.update(namespace, key, update);
    }

    @Override
    public boolean delete(Namespace namespace, String key, Precondition precondition) {
      check();
      return super.delete(namespace, key, precondition);
    }

    @Override
    public List<StateRecord> list(Namespace namespace) {
      check();
      return super.list(namespace);
    }

    @Override
    public Watch watch(Namespace namespace, WatchListener listener) {
      check();
      return super.watch(namespace, listener);
    }
  }

  final ManualClock clock = new ManualClock();
  final SwitchableStore store =
      new SwitchableStore(InMemoryStateStore.builder().clock(clock).build());
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final InMemoryAuditSink audit = new InMemoryAuditSink(100);
  final Flags flags =
      Flags.builder(store)
          .clock(clock)
          .auditSink(audit)
          .metrics(BrownoutMetrics.of(registry))
          .build();
  final AdminCalls api = new AdminCalls(flags.adminRoutes(), audit);

  static final String WRITE = AdminCalls.WRITE;
  static final String READ = AdminCalls.READ;

  @AfterEach
  void close() {
    store.down.set(false);
    flags.close();
    store.close();
  }

  AdminResponse call(String method, String path, String token, String body, String... headers) {
    return api.call(method, path, token, body, headers);
  }

  static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Nested
  class Basics {
    @Test
    void createReadKillAndDeleteAFlagWithAnAuditTrail() {
      AdminResponse created =
          call(
              "POST",
              "/api/v1/flags",
              WRITE,
              "{\"key\":\"new-checkout\",\"fallthrough\":{\"rollout\":{\"percentage\":30}}}",
              "Brownout-Reason",
              "launch");
      assertThat(created.status()).isEqualTo(201);
      assertThat(created.headers()).containsEntry("Location", "/api/v1/flags/new-checkout");
      String etag = created.headers().get("ETag");

      AdminResponse got = call("GET", "/api/v1/flags/new-checkout", READ, null);
      assertThat(got.status()).isEqualTo(200);
      assertThat(got.headers()).containsEntry("ETag", etag);

      AdminResponse killed =
          call(
              "PATCH",
              "/api/v1/flags/new-checkout",
              WRITE,
              "{\"enabled\":false}",
              "If-Match",
              etag,
              "Brownout-Reason",
              "payments failing");
      assertThat(killed.status()).isEqualTo(200);
      assertThat(flags.isEnabled("new-checkout", FlagContext.of("anyone"))).isFalse();

      AdminResponse stale =
          call(
              "PATCH", "/api/v1/flags/new-checkout", WRITE, "{\"enabled\":true}", "If-Match", etag);
      assertThat(stale.status()).isEqualTo(412);
      assertThat(json(stale))
          .as("a 412 carries the current ETag, to read again and retry")
          .containsEntry("currentETag", killed.headers().get("ETag"));
      assertThat(flags.isEnabled("new-checkout", FlagContext.of("anyone"))).isFalse();

      assertThat(call("DELETE", "/api/v1/flags/new-checkout", WRITE, null).status()).isEqualTo(204);
      assertThat(flags.snapshot().keys()).doesNotContain("new-checkout");

      assertThat(audit.recent(10))
          .extracting(r -> r.action())
          .containsExactly("flags.delete", "flags.patch", "flags.create");
      assertThat(audit.recent(10).get(1).reason()).isEqualTo("payments failing");
      assertThat(audit.recent(10).get(1).before())
          .contains("\"key\":\"new-checkout\"")
          .doesNotContain("\"enabled\":false");
      assertThat(audit.recent(10).get(1).after()).contains("\"enabled\":false");
    }

    @Test
    void anInvalidDefinitionIs400WithEveryProblemAndChangesNothing() {
      AdminResponse response =
          call(
              "POST",
              "/api/v1/flags",
              WRITE,
              "{\"key\":\"x\",\"offVariant\":\"nope\",\"fallthrough\":{\"rollout\":{\"percentage\":-5}}}");

      assertThat(response.status()).isEqualTo(400);
      assertThat(response.contentType()).isEqualTo("application/problem+json");
      assertThat(json(response))
          .containsEntry("type", "https://brownout.dev/problems/invalid-flag");
      assertThat((List<?>) json(response).get("problems")).hasSize(2);
      assertThat(flags.snapshot().size()).isZero();
      assertThat(audit.recent(10)).isEmpty();
    }

    @Test
    void readTokensCannotChangeFlagsAndConflictsAreNamed() {
      assertThat(call("POST", "/api/v1/flags", READ, "{\"key\":\"x\"}").status()).isEqualTo(403);
      assertThat(call("POST", "/api/v1/flags", WRITE, "{\"key\":\"x\"}").status()).isEqualTo(201);
      AdminResponse again = call("POST", "/api/v1/flags", WRITE, "{\"key\":\"x\"}");
      assertThat(again.status()).isEqualTo(409);
      assertThat(json(again)).containsEntry("type", "https://brownout.dev/problems/flag-exists");
      assertThat(call("PUT", "/api/v1/flags/y", WRITE, "{\"key\":\"x\"}").status()).isEqualTo(400);
      assertThat(call("GET", "/api/v1/flags/ghost", READ, null).status()).isEqualTo(404);
    }

    @Test
    void aJumpToAHundredPercentIsHeldUntilConfirmed() {
      call(
          "POST",
          "/api/v1/flags",
          WRITE,
          "{\"key\":\"risky\",\"fallthrough\":{\"rollout\":{\"percentage\":0}}}");

      AdminResponse held = call("PATCH", "/api/v1/flags/risky", WRITE, "{\"percentage\":100}");
      assertThat(held.status()).isEqualTo(409);
      assertThat(json(held))
          .containsEntry("type", "https://brownout.dev/problems/confirmation-required");

      assertThat(
              call("PATCH", "/api/v1/flags/risky?confirm=true", WRITE, "{\"percentage\":100}")
                  .status())
          .isEqualTo(200);
      assertThat(flags.isEnabled("risky", FlagContext.of("a"))).isTrue();
    }

    @Test
    void aStoreOutageIsARetryable503OnEveryRouteThatReadsTheStoreAndNeverA500() {
      flags.admin().create(FlagDefinition.rollout("checkout", 30));
      flags.segments().create(SegmentDefinition.of("staff", "alice"));
      store.down.set(true);
      List<String[]> calls =
          List.of(
              new String[] {"GET", "/api/v1/flags", null},
              new String[] {"POST", "/api/v1/flags", "{\"key\":\"new\"}"},
              new String[] {"GET", "/api/v1/flags/checkout", null},
              new String[] {"PUT", "/api/v1/flags/checkout", "{\"key\":\"checkout\"}"},
              new String[] {"PATCH", "/api/v1/flags/checkout", "{\"enabled\":false}"},
              new String[] {"DELETE", "/api/v1/flags/checkout", null},
              new String[] {"GET", "/api/v1/flags/_export", null},
              new String[] {"POST", "/api/v1/flags/_import", "[{\"key\":\"new\"}]"},
              new String[] {"GET", "/api/v1/segments", null},
              new String[] {"GET", "/api/v1/segments/staff", null},
              new String[] {"POST", "/api/v1/segments", "{\"key\":\"more\"}"},
              new String[] {"PUT", "/api/v1/segments/staff", "{\"key\":\"staff\"}"},
              new String[] {"DELETE", "/api/v1/segments/staff", null});
      for (String[] c : calls) {
        AdminResponse response = call(c[0], c[1], WRITE, c[2]);
        assertThat(response.status()).as("%s %s → %s", c[0], c[1], text(response)).isEqualTo(503);
        assertThat(response.headers()).containsKey("Retry-After");
      }
      // What the snapshot answers alone keeps working through the outage.
      assertThat(call("GET", "/api/v1/flags/checkout/evaluate?unit=a", READ, null).status())
          .isEqualTo(200);
      assertThat(call("GET", "/api/v1/flags/_stale", READ, null).status()).isEqualTo(200);
      assertThat(call("GET", "/api/v1/flags/checkout/dry-run?percentage=50", READ, null).status())
          .isEqualTo(200);
      assertThat(audit.recent(10)).extracting(r -> r.action()).doesNotContain("flags.patch");
    }
  }

  @Nested
  class Explain {
    @Test
    void anEvaluationCanBeExplainedForAUnit() {
      call(
          "POST",
          "/api/v1/flags",
          WRITE,
          "{\"key\":\"beta\",\"rules\":[{\"id\":\"pro\",\"conditions\":[{\"attribute\":\"plan\",\"operator\":\"in\",\"values\":[\"pro\"]}],\"serve\":{\"variant\":\"on\"}}],\"fallthrough\":{\"rollout\":{\"percentage\":30}}}");

      Map<String, Object> pro =
          json(call("GET", "/api/v1/flags/beta/evaluate?unit=alice&attr=plan:pro", READ, null));
      Map<String, Object> free =
          json(call("GET", "/api/v1/flags/beta/evaluate?unit=alice&attr=plan:free", READ, null));

      assertThat(pro)
          .containsEntry("reason", "RULE")
          .containsEntry("rule", "pro")
          .containsEntry("value", true)
          .doesNotContainKey("rolloutBucket");
      assertThat(free.get("reason")).isIn("SPLIT", "SPLIT_OUT");
      assertThat(free)
          .containsEntry("rolloutBucket", Bucketing.bucket("beta", "alice", Bucketing.ROLLOUT_SEED))
          .containsEntry("bucketBy", "key")
          .containsEntry("rolloutPercentage", 30.0);
      assertThat(
              call("GET", "/api/v1/flags/beta/evaluate?unit=a&attr=nocolon", READ, null).status())
          .isEqualTo(400);
    }

    @Test
    void theBucketIsTheOneOfTheRolloutThatDecidedByItsOwnAttributeAndSalt() {
      flags
          .admin()
          .create(
              FlagDefinition.builder("pricing")
                  .rule(
                      "enterprise",
                      new FlagDefinition.Serve(
                          null,
                          new FlagDefinition.Rollout(20.0, null, null, "account", "accounts")),
                      new FlagDefinition.Condition("tier", "in", List.of("enterprise")))
                  .rollout(50)
                  .build());
      Map<String, Object> enterprise =
          json(
              call(
                  "GET",
                  "/api/v1/flags/pricing/evaluate?unit=alice&attr=tier:enterprise&attr=account:acme",
                  READ,
                  null));
      assertThat(enterprise)
          .containsEntry("rule", "enterprise")
          .containsEntry("bucketBy", "account")
          .containsEntry("rolloutPercentage", 20.0)
          .containsEntry(
              "rolloutBucket", Bucketing.bucket("accounts", "acme", Bucketing.ROLLOUT_SEED));
      Map<String, Object> noAccount =
          json(
              call(
                  "GET",
                  "/api/v1/flags/pricing/evaluate?unit=alice&attr=tier:enterprise",
                  READ,
                  null));
      assertThat(noAccount).containsEntry("bucketBy", "account").doesNotContainKey("rolloutBucket");
    }

    @Test
    void explainingAFlagThatDoesNotExistIs404AndCountsNothing() {
      for (int i = 0; i < 5; i++) {
        assertThat(
                call("GET", "/api/v1/flags/ghost-" + i + "/evaluate?unit=a", READ, null).status())
            .isEqualTo(404);
      }
      assertThat(registry.find("brownout.feature_flag.unknown").meters())
          .as("an unknown key is not a meter a read token can create")
          .isEmpty();
    }
  }

  @Nested
  class OperatorTools {
    @Test
    void exportAndImportInTheBootstrapFilesFormatCheckedWholeFirst() {
      flags.segments().create(SegmentDefinition.of("staff", "alice", "bob"));
      flags
          .admin()
          .create(
              FlagDefinition.builder("internal-tools")
                  .rule(
                      "staff",
                      FlagDefinition.Serve.variant("on"),
                      FlagDefinition.Condition.inSegment("staff"))
                  .rollout(0)
                  .build());
      flags.admin().create(FlagDefinition.rollout("search", 40));
      String exported = text(call("GET", "/api/v1/flags/_export", READ, null));
      FlagBundle bundle = FlagBundle.fromJson(exported);
      assertThat(bundle.flags())
          .extracting(FlagDefinition::key)
          .containsExactly("internal-tools", "search");
      assertThat(bundle.segmentsOrEmpty())
          .extracting(SegmentDefinition::key)
          .containsExactly("staff");

      try (InMemoryStateStore other = InMemoryStateStore.create();
          Flags elsewhere = Flags.builder(other).build()) {
        AdminCalls there = new AdminCalls(elsewhere.adminRoutes(), new InMemoryAuditSink(10));
        AdminResponse imported = there.write("POST", "/api/v1/flags/_import", exported);
        assertThat(imported.status()).as(text(imported)).isEqualTo(200);
        assertThat(json(imported))
            .containsEntry("created", List.of("internal-tools", "search"))
            .containsEntry("segmentsCreated", List.of("staff"));
        assertThat(elsewhere.isEnabled("internal-tools", FlagContext.of("bob"))).isTrue();
        AdminResponse again = there.write("POST", "/api/v1/flags/_import", exported);
        assertThat(json(again)).containsEntry("unchanged", List.of("internal-tools", "search"));

        AdminResponse broken =
            there.write(
                "POST",
                "/api/v1/flags/_import",
                "{\"flags\":[{\"key\":\"a\",\"rules\":[{\"id\":\"r\",\"conditions\":"
                    + "[{\"operator\":\"in_segment\",\"values\":[\"nobody\"]}],"
                    + "\"serve\":{\"variant\":\"on\"}}]},{\"key\":\"b\",\"offVariant\":\"x\"}]}");
        assertThat(broken.status()).isEqualTo(400);
        assertThat(text(broken))
            .contains("segment 'nobody' does not exist")
            .contains("flags[1] (b).offVariant");
        assertThat(elsewhere.snapshot().keys())
            .containsExactlyInAnyOrder("internal-tools", "search");
      }
    }

    @Test
    void aFlagsHistoryComesFromTheAuditTrail() {
      call("POST", "/api/v1/flags", WRITE, "{\"key\":\"search\"}");
      call(
          "PATCH",
          "/api/v1/flags/search",
          WRITE,
          "{\"enabled\":false}",
          "Brownout-Reason",
          "noisy");
      call("POST", "/api/v1/flags", WRITE, "{\"key\":\"other\"}");
      Map<String, Object> history = json(call("GET", "/api/v1/flags/search/history", READ, null));
      assertThat((List<?>) history.get("records")).hasSize(2);
      assertThat(history.get("records").toString()).contains("flags.patch").contains("noisy");

      try (Flags noAudit = Flags.builder(InMemoryStateStore.create()).build()) {
        AdminCalls without = new AdminCalls(noAudit.adminRoutes(), audit);
        AdminResponse response = without.read("/api/v1/flags/search/history");
        assertThat(response.status()).isEqualTo(404);
        assertThat(text(response)).contains("auditSink");
      }
    }

    @Test
    void aDryRunShowsWhoGainsAndWhoLosesTheFeature() {
      flags.admin().create(FlagDefinition.rollout("checkout", 30));
      Map<String, Object> up =
          json(
              call("GET", "/api/v1/flags/checkout/dry-run?percentage=50&sample=10000", READ, null));
      assertThat(up).containsEntry("units", 10000).containsEntry("lose", 0);
      assertThat((Integer) up.get("gain")).isBetween(1700, 2300);

      String killed = encode(FlagDefinition.rollout("checkout", 30).withEnabled(false).toJson());
      Map<String, Object> kill =
          json(
              call(
                  "GET",
                  "/api/v1/flags/checkout/dry-run?definition=" + killed + "&unit=a&unit=b&sample=0",
                  READ,
                  null));
      assertThat(kill).containsEntry("units", 2).containsEntry("gain", 0);

      String units = encode("[{\"key\":\"ada\",\"attributes\":{\"plan\":\"beta\"}}]");
      String beta =
          encode(
              "{\"key\":\"checkout\",\"rules\":[{\"id\":\"beta\",\"conditions\":[{\"attribute\":\"plan\","
                  + "\"operator\":\"in\",\"values\":[\"beta\"]}],\"serve\":{\"variant\":\"on\"}}],"
                  + "\"fallthrough\":{\"variant\":\"off\"}}");
      Map<String, Object> rule =
          json(
              call(
                  "GET",
                  "/api/v1/flags/checkout/dry-run?definition=" + beta + "&units=" + units,
                  READ,
                  null));
      assertThat(rule).containsEntry("units", 1).containsEntry("lose", 0);
      assertThat(call("GET", "/api/v1/flags/checkout/dry-run", READ, null).status()).isEqualTo(400);
      assertThat(call("GET", "/api/v1/flags/checkout/dry-run?percentage=140", READ, null).status())
          .isEqualTo(400);
      assertThat(call("GET", "/api/v1/flags/ghost/dry-run?percentage=5", READ, null).status())
          .isEqualTo(404);
      assertThat(flags.lastEvaluated("checkout")).as("a dry run counts nothing").isEmpty();
      assertThat(audit.recent(10)).isEmpty();
    }

    @Test
    void flagsNotEvaluatedForDaysAreListedAsStale() {
      flags.admin().create(FlagDefinition.on("used"));
      flags.admin().create(FlagDefinition.on("forgotten"));
      assertThat(
              (List<?>) json(call("GET", "/api/v1/flags/_stale?days=7", READ, null)).get("flags"))
          .as("a server up for less than a week cannot say")
          .isEmpty();
      clock.advance(Duration.ofDays(8));
      flags.isEnabled("used", FlagContext.of("a"));
      assertThat(flags.lastEvaluated("used")).contains(clock.instant());
      Map<String, Object> stale = json(call("GET", "/api/v1/flags/_stale?days=7", READ, null));
      assertThat(stale.get("flags").toString()).contains("forgotten").doesNotContain("used");
      assertThat(text(call("GET", "/api/v1/flags", READ, null)))
          .contains("\"lastEvaluated\":\"" + clock.instant() + "\"");
      assertThat(call("GET", "/api/v1/flags/_stale?days=-1", READ, null).status()).isEqualTo(400);
    }
  }
}
