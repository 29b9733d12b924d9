package dev.brownout.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.core.admin.ProblemException;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.core.time.ManualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin API's behaviour over real HTTP. Each transport (the JDK server, the Servlet adapter in
 * a real container) runs this same suite.
 */
abstract class AdminHttpContract {
  static final String READ_TOKEN = "read-token-0123456789abcdef";
  static final String WRITE_TOKEN = "write-token-0123456789abcdef";
  static final int MAX_BODY = 64 * 1024;

  /** A small resource for the tests to change: a named widget with a size. */
  record Widget(String name, int size) {}

  record Stored(Widget widget, long version) {}

  final Map<String, Stored> widgets = new ConcurrentHashMap<>();
  final InMemoryAuditSink audit = new InMemoryAuditSink(100);
  final ManualClock clock = new ManualClock();
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  AdminApi api;
  URI base;

  /** Starts the transport for {@code api} and returns the URI the admin root is served at. */
  abstract URI start(AdminApi api, int maxBodyBytes) throws Exception;

  abstract void stop() throws Exception;

  @BeforeEach
  void startServer() throws Exception {
    widgets.put("alpha", new Stored(new Widget("alpha", 1), 1));
    api =
        AdminApi.builder()
            .authenticator(
                BearerTokenAuthenticator.builder()
                    .readToken("viewer", READ_TOKEN)
                    .writeToken("operator", WRITE_TOKEN)
                    .build())
            .auditSink(audit)
            .clock(clock)
            .routes(
                AdminRoute.get(
                    "/api/v1/widgets/{name}", "widgets.get", "One widget.", this::getWidget),
                AdminRoute.write(
                    "PUT",
                    "/api/v1/widgets/{name}",
                    "widgets.put",
                    "Create or replace.",
                    this::putWidget),
                AdminRoute.write(
                    "DELETE",
                    "/api/v1/widgets/{name}",
                    "widgets.delete",
                    "Delete.",
                    this::deleteWidget),
                AdminRoute.get(
                    "/api/v1/boom",
                    "test.boom",
                    "A handler with a bug.",
                    request -> {
                      throw new IllegalStateException("secret internal detail");
                    }))
            .build();
    base = start(api, MAX_BODY);
  }

  @AfterEach
  void stopServer() throws Exception {
    stop();
  }

  private AdminResponse getWidget(AdminRequest request) {
    Stored stored = widgets.get(request.pathParam("name"));
    if (stored == null) {
      throw ProblemException.notFound("no widget named " + request.pathParam("name"));
    }
    return AdminResponse.ok(stored.widget()).withETag("v" + stored.version());
  }

  private AdminResponse putWidget(AdminRequest request) {
    String name = request.pathParam("name");
    Widget body = request.body(Widget.class);
    if (!body.name().equals(name)) {
      throw new IllegalArgumentException(
          "the body names widget '" + body.name() + "' but the path names '" + name + "'");
    }
    Stored before = widgets.get(name);
    if (before != null) {
      request.checkIfMatch("\"v" + before.version() + "\"");
    }
    Stored after = new Stored(body, before == null ? 1 : before.version() + 1);
    widgets.put(name, after);
    return AdminResponse.ok(body)
        .withETag("v" + after.version())
        .withChange("widget " + name, before == null ? null : before.widget(), body);
  }

  private AdminResponse deleteWidget(AdminRequest request) {
    Stored before = widgets.remove(request.pathParam("name"));
    if (before == null) {
      throw ProblemException.notFound("no widget named " + request.pathParam("name"));
    }
    return AdminResponse.noContent()
        .withChange("widget " + request.pathParam("name"), before.widget(), null);
  }

  HttpResponse<String> send(
      String method, String path, String token, String body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path.substring(1)))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> json(HttpResponse<String> response) {
    return JsonCodec.standard().decode(response.body(), Map.class);
  }

  static void assertProblem(HttpResponse<String> response, int status, String type) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    Map<String, Object> problem = json(response);
    assertThat(problem)
        .containsEntry("type", "https://brownout.dev/problems/" + type)
        .containsEntry("status", status);
    assertThat((String) problem.get("detail")).isNotBlank();
  }

  @Test
  void withoutATokenEveryPathIs401WithABearerChallenge() throws Exception {
    for (String path : List.of("/api/v1", "/api/v1/widgets/alpha", "/nothing/here")) {
      HttpResponse<String> response = send("GET", path, null, null);
      assertProblem(response, 401, "unauthorized");
      assertThat(response.headers().firstValue("WWW-Authenticate"))
          .hasValue("Bearer realm=\"brownout\"");
    }
  }

  @Test
  void anUnknownTokenIs401() throws Exception {
    assertProblem(send("GET", "/api/v1", "not-a-real-token-at-all", null), 401, "unauthorized");
  }

  @Test
  void aReadTokenReadsAndTheIndexListsTheRoutes() throws Exception {
    HttpResponse<String> response = send("GET", "/api/v1", READ_TOKEN, null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    Map<String, Object> index = json(response);
    assertThat(index).containsEntry("principal", "viewer").containsEntry("access", "read");
    assertThat(response.body()).contains("/api/v1/widgets/{name}").contains("widgets.put");
  }

  @Test
  void aReadTokenOnAWriteRouteIs403AndChangesNothing() throws Exception {
    HttpResponse<String> response =
        send("PUT", "/api/v1/widgets/alpha", READ_TOKEN, "{\"name\":\"alpha\",\"size\":5}");

    assertProblem(response, 403, "forbidden");
    assertThat(widgets.get("alpha").widget().size()).isEqualTo(1);
    assertThat(audit.recent(10)).isEmpty();
  }

  @Test
  void malformedJsonIs400NamingWhereAndChangesNothing() throws Exception {
    HttpResponse<String> response =
        send("PUT", "/api/v1/widgets/alpha", WRITE_TOKEN, "{\"name\":\"alpha\",");

    assertProblem(response, 400, "bad-request");
    assertThat((String) json(response).get("detail")).contains("line 1");
    assertThat(widgets.get("alpha").version()).isEqualTo(1);
    assertThat(audit.recent(10)).isEmpty();
  }

  @Test
  void anUnknownFieldIs400NamingTheFieldAndTheKnownOnes() throws Exception {
    HttpResponse<String> response =
        send(
            "PUT",
            "/api/v1/widgets/alpha",
            WRITE_TOKEN,
            "{\"name\":\"alpha\",\"size\":5,\"colour\":\"red\"}");

    assertProblem(response, 400, "bad-request");
    assertThat((String) json(response).get("detail")).contains("'colour'").contains("name, size");
    assertThat(widgets.get("alpha").widget().size()).isEqualTo(1);
  }

  @Test
  void aFieldOfTheWrongTypeIs400() throws Exception {
    HttpResponse<String> response =
        send("PUT", "/api/v1/widgets/alpha", WRITE_TOKEN, "{\"name\":\"alpha\",\"size\":\"big\"}");

    assertProblem(response, 400, "bad-request");
    assertThat((String) json(response).get("detail")).contains("$.size").contains("an integer");
  }

  @Test
  void anInvalidValueRejectedByTheHandlerIs400() throws Exception {
    HttpResponse<String> response =
        send("PUT", "/api/v1/widgets/alpha", WRITE_TOKEN, "{\"name\":\"beta\",\"size\":5}");

    assertProblem(response, 400, "bad-request");
    assertThat((String) json(response).get("detail")).contains("'beta'").contains("'alpha'");
  }

  @Test
  void aBodyThatIsNotJsonIs415() throws Exception {
    HttpResponse<String> response =
        send("PUT", "/api/v1/widgets/alpha", WRITE_TOKEN, null, "Content-Type", "text/plain");

    assertProblem(response, 415, "unsupported-media-type");
  }

  @Test
  void aChangeIsAuditedWithWhoWhatBeforeAfterAndWhy() throws Exception {
    HttpResponse<String> response =
        send(
            "PUT",
            "/api/v1/widgets/alpha",
            WRITE_TOKEN,
            "{\"name\":\"alpha\",\"size\":7}",
            "Brownout-Reason",
            "bigger alpha for the launch");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("ETag")).hasValue("\"v2\"");
    List<AuditRecord> records = audit.recent(10);
    assertThat(records).hasSize(1);
    AuditRecord record = records.get(0);
    assertThat(record.actor()).isEqualTo("operator");
    assertThat(record.action()).isEqualTo("widgets.put");
    assertThat(record.target()).isEqualTo("widget alpha");
    assertThat(record.before()).isEqualTo("{\"name\":\"alpha\",\"size\":1}");
    assertThat(record.after()).isEqualTo("{\"name\":\"alpha\",\"size\":7}");
    assertThat(record.reason()).isEqualTo("bigger alpha for the launch");
    assertThat(record.at()).isEqualTo(clock.instant());

    HttpResponse<String> trail = send("GET", "/api/v1/audit?limit=5", READ_TOKEN, null);
    assertThat(trail.statusCode()).isEqualTo(200);
    assertThat(trail.body())
        .contains("\"before\":{\"name\":\"alpha\",\"size\":1}")
        .contains("bigger alpha");
  }

  @Test
  void aStaleIfMatchIs412WithTheCurrentETagAndChangesNothing() throws Exception {
    HttpResponse<String> response =
        send(
            "PUT",
            "/api/v1/widgets/alpha",
            WRITE_TOKEN,
            "{\"name\":\"alpha\",\"size\":9}",
            "If-Match",
            "\"v0\"");

    assertProblem(response, 412, "precondition-failed");
    assertThat(json(response)).containsEntry("currentETag", "\"v1\"");
    assertThat(widgets.get("alpha").widget().size()).isEqualTo(1);
    assertThat(audit.recent(10)).isEmpty();
  }

  @Test
  void aCurrentIfMatchSucceeds() throws Exception {
    String etag =
        send("GET", "/api/v1/widgets/alpha", READ_TOKEN, null)
            .headers()
            .firstValue("ETag")
            .orElseThrow();

    HttpResponse<String> response =
        send(
            "PUT",
            "/api/v1/widgets/alpha",
            WRITE_TOKEN,
            "{\"name\":\"alpha\",\"size\":9}",
            "If-Match",
            etag);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(widgets.get("alpha").widget().size()).isEqualTo(9);
  }

  @Test
  void pathParametersArePercentDecoded() throws Exception {
    HttpResponse<String> response =
        send("PUT", "/api/v1/widgets/big%20one", WRITE_TOKEN, "{\"name\":\"big one\",\"size\":3}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(widgets).containsKey("big one");
  }

  @Test
  void aDeleteIsAuditedAndAnswers204() throws Exception {
    HttpResponse<String> response = send("DELETE", "/api/v1/widgets/alpha", WRITE_TOKEN, null);

    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(widgets).doesNotContainKey("alpha");
    assertThat(audit.recent(1).get(0).after()).isNull();
    assertProblem(send("DELETE", "/api/v1/widgets/alpha", WRITE_TOKEN, null), 404, "not-found");
  }

  @Test
  void unknownRoutesAre404AndOtherMethodsAre405WithAllow() throws Exception {
    assertProblem(send("GET", "/api/v1/gadgets", READ_TOKEN, null), 404, "not-found");

    HttpResponse<String> wrongMethod = send("POST", "/api/v1/widgets/alpha", WRITE_TOKEN, "{}");
    assertProblem(wrongMethod, 405, "method-not-allowed");
    assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET, PUT, DELETE");
  }

  @Test
  void aBugInAHandlerIs500ProblemWithAnIncidentAndNoInternals() throws Exception {
    HttpResponse<String> response = send("GET", "/api/v1/boom", READ_TOKEN, null);

    assertProblem(response, 500, "internal-error");
    assertThat(json(response)).containsKey("incident");
    assertThat(response.body())
        .doesNotContain("secret internal detail")
        .doesNotContain("IllegalStateException");
  }

  @Test
  void aBodyOverTheLimitIs413AndChangesNothing() throws Exception {
    String huge = "{\"name\":\"alpha\",\"size\":1,\"pad\":\"" + "x".repeat(MAX_BODY) + "\"}";

    HttpResponse<String> response = send("PUT", "/api/v1/widgets/alpha", WRITE_TOKEN, huge);

    assertProblem(response, 413, "payload-too-large");
    assertThat(widgets.get("alpha").version()).isEqualTo(1);
  }
}
