package dev.brownout.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.Resilience;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.state.InMemoryStateStore;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The whole admin API (flags, read mode, breakers) against arbitrary requests: no 5xx, a refused
 * request changes nothing, and every applied change has exactly one audit record.
 */
class AdminApiProperties {
  static final String WRITE = "write-token-0123456789abcdef";
  static final String READ = "read-token-0123456789abcdef";

  static InMemoryStateStore store;
  static Flags flags;
  static ReadMode readMode;
  static Resilience resilience;
  static InMemoryAuditSink audit;
  static AdminApi api;

  @BeforeContainer
  static void start() {
    store = InMemoryStateStore.create();
    flags = Flags.builder(store).build();
    readMode = ReadMode.builder(store).build();
    resilience =
        Resilience.builder(store)
            .circuitBreaker(
                "payments",
                CircuitBreakerConfig.custom().slidingWindowSize(10).minimumNumberOfCalls(5).build())
            .build();
    flags.admin().create(FlagDefinition.rollout("instant-book", 30));
    flags.admin().create(FlagDefinition.on("search"));
    audit = new InMemoryAuditSink(100_000);
    List<AdminRoute> routes = new ArrayList<>(flags.adminRoutes());
    routes.addAll(readMode.adminRoutes());
    routes.addAll(resilience.adminRoutes());
    api =
        AdminApi.builder()
            .authenticator(
                BearerTokenAuthenticator.builder()
                    .writeToken("ops", WRITE)
                    .readToken("viewer", READ)
                    .build())
            .auditSink(audit)
            .routes(routes)
            .build();
  }

  @AfterContainer
  static void stop() {
    flags.close();
    readMode.close();
    resilience.close();
    store.close();
  }

  record Call(
      String method, String path, String token, String contentType, String ifMatch, String body) {}

  @Provide
  Arbitrary<String> json() {
    Arbitrary<String> scalar =
        Arbitraries.oneOf(
            Arbitraries.of(
                "null",
                "true",
                "false",
                "0",
                "-1",
                "1e309",
                "2147483648",
                "12",
                "\"\"",
                "[]",
                "{}"),
            Arbitraries.strings()
                .ofMaxLength(12)
                .map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""),
            Arbitraries.integers().map(String::valueOf),
            Arbitraries.doubles().map(String::valueOf));
    Arbitrary<String> field =
        Arbitraries.of(
            "key",
            "enabled",
            "percentage",
            "kind",
            "message",
            "eta",
            "targets",
            "rules",
            "fallthrough",
            "variants",
            "failureRateThreshold",
            "slidingWindowSize",
            "minimumNumberOfCalls",
            "waitInOpenStateMillis",
            "slowCallDurationMillis",
            "x");
    Arbitrary<String> member =
        Combinators.combine(field, scalar).as((f, v) -> "\"" + f + "\":" + v);
    Arbitrary<String> object = member.list().ofMaxSize(5).map(m -> "{" + String.join(",", m) + "}");
    return Arbitraries.oneOf(
        scalar,
        object,
        object.list().ofMaxSize(3).map(o -> "[" + String.join(",", o) + "]"),
        Arbitraries.of(
            "{\"kind\":\"manual\",\"message\":\"Paused\"}",
            "{\"kind\":\"maintenance\",\"message\":\"Moving\",\"eta\":\"2999-01-01T00:00:00Z\"}",
            "{\"key\":\"new-flag\"}",
            "{\"enabled\":false}",
            "{\"percentage\":50}",
            "{\"failureRateThreshold\":25}",
            "not json",
            "{\"key\":"));
  }

  @Provide
  Arbitrary<Call> calls() {
    Arbitrary<String> method =
        Arbitraries.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "FOO");
    Arbitrary<String> id =
        Arbitraries.oneOf(
            Arbitraries.of(
                "instant-book",
                "search",
                "new-flag",
                "payments",
                "db-move",
                "nope",
                "..",
                "%2F",
                "a%00b",
                "%",
                "%zz",
                "force-open",
                "close",
                "reset",
                "config",
                "evaluate"),
            Arbitraries.strings().ofMaxLength(20).map(s -> s.replace("/", "")));
    Arbitrary<String> path =
        Arbitraries.oneOf(
            Arbitraries.of(
                "/api/v1",
                "/api/v1/audit",
                "/api/v1/flags",
                "/api/v1/read-mode",
                "/api/v1/breakers",
                "/api/v1/",
                "/",
                "/console"),
            id.map(i -> "/api/v1/flags/" + i),
            id.map(i -> "/api/v1/flags/" + i + "/evaluate?unit=" + i),
            id.map(i -> "/api/v1/read-mode/reasons/" + i),
            Combinators.combine(id, id).as((n, a) -> "/api/v1/breakers/" + n + "/" + a),
            id.map(i -> "/api/v1/audit?limit=" + i));
    Arbitrary<String> token = Arbitraries.of(WRITE, WRITE, WRITE, READ, "", "wrong-token-00000000");
    Arbitrary<String> contentType =
        Arbitraries.of("application/json", "", "text/plain", "application/json; charset=utf-8");
    Arbitrary<String> ifMatch = Arbitraries.of("", "*", "\"1\"", "\"garbage\"", "W/\"x\"");
    return Combinators.combine(method, path, token, contentType, ifMatch, json()).as(Call::new);
  }

  static String snapshot() {
    return body(get("/api/v1/flags"))
        + body(get("/api/v1/read-mode"))
        + body(get("/api/v1/breakers"));
  }

  static AdminResponse get(String path) {
    return api.handle(
        AdminRequest.builder("GET", path).header("Authorization", "Bearer " + READ).build());
  }

  static String body(AdminResponse response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  @Property(tries = 1500)
  void noRequestGetsA5xxARefusedOneChangesNothingAndEachChangeIsAuditedOnce(
      @ForAll("calls") Call call) {
    String before = snapshot();
    int records = audit.recent(100_000).size();
    int question = call.path().indexOf('?');
    AdminRequest.Builder request =
        AdminRequest.builder(
                call.method(), question < 0 ? call.path() : call.path().substring(0, question))
            .rawQuery(question < 0 ? null : call.path().substring(question + 1))
            .body(call.body());
    if (!call.token().isEmpty()) {
      request.header("Authorization", "Bearer " + call.token());
    }
    if (!call.contentType().isEmpty()) {
      request.header("Content-Type", call.contentType());
    }
    if (!call.ifMatch().isEmpty()) {
      request.header("If-Match", call.ifMatch());
    }
    AdminResponse response = api.handle(request.build());

    assertThat(response.status()).as("%s → %s", call, body(response)).isLessThan(500);
    int added = audit.recent(100_000).size() - records;
    boolean change =
        response.status() < 300
            && !call.method().equals("GET")
            && !call.method().equals("HEAD")
            && !call.method().equals("OPTIONS");
    if (change) {
      assertThat(added).as("audit records for %s", call).isEqualTo(1);
    } else {
      assertThat(added).as("audit records for %s", call).isZero();
      assertThat(snapshot()).as("state after refused %s", call).isEqualTo(before);
    }
  }
}
