package dev.brownout.flags;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.state.InMemoryStateStore;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The flag routes on the admin API: rights, validation, ETags, audit. */
class FlagRoutesTest {
  static final String READ = "read-token-0123456789abcdef";
  static final String WRITE = "write-token-0123456789abcdef";

  final InMemoryStateStore store = InMemoryStateStore.create();
  final Flags flags = Flags.builder(store).build();
  final InMemoryAuditSink audit = new InMemoryAuditSink(100);
  final AdminApi api =
      AdminApi.builder()
          .authenticator(
              BearerTokenAuthenticator.builder()
                  .readToken("viewer", READ)
                  .writeToken("ops", WRITE)
                  .build())
          .auditSink(audit)
          .routes(flags.adminRoutes())
          .build();

  @AfterEach
  void close() {
    flags.close();
    store.close();
  }

  AdminResponse call(String method, String path, String token, String body, String... headers) {
    int query = path.indexOf('?');
    AdminRequest.Builder request =
        AdminRequest.builder(method, query < 0 ? path : path.substring(0, query))
            .rawQuery(query < 0 ? null : path.substring(query + 1))
            .header("Authorization", "Bearer " + token);
    if (body != null) {
      request.body(body).header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return api.handle(request.build());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> json(AdminResponse response) {
    return JsonCodec.standard()
        .decode(new String(response.body(), StandardCharsets.UTF_8), Map.class);
  }

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
        call("PATCH", "/api/v1/flags/new-checkout", WRITE, "{\"enabled\":true}", "If-Match", etag);
    assertThat(stale.status()).isEqualTo(412);
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
        .containsEntry("value", true);
    assertThat(free.get("reason")).isIn("SPLIT", "SPLIT_OUT");
    assertThat(free)
        .containsEntry("rolloutBucket", Bucketing.bucket("beta", "alice", Bucketing.ROLLOUT_SEED));
    assertThat(call("GET", "/api/v1/flags/beta/evaluate?unit=a&attr=nocolon", READ, null).status())
        .isEqualTo(400);
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
    assertThat(json(response)).containsEntry("type", "https://brownout.dev/problems/invalid-flag");
    assertThat((java.util.List<?>) json(response).get("problems")).hasSize(2);
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
}
