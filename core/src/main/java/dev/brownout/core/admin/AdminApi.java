package dev.brownout.core.admin;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.CoreConfig;
import dev.brownout.core.json.CodecException;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.metrics.MeterSpec;
import dev.brownout.core.time.BrownoutClock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API, independent of any HTTP server: it authenticates a request, finds its route,
 * checks the caller's right, runs the handler, turns every failure into {@code
 * application/problem+json}, and writes an audit record for every successful change. {@link
 * AdminServer} and {@link dev.brownout.core.admin.servlet.AdminServlet} are thin transports over
 * {@link #handle(AdminRequest)}.
 *
 * <p>What the caller sees:
 *
 * <ul>
 *   <li>no or unknown token: 401 with {@code WWW-Authenticate: Bearer} (before routing, so
 *       unauthenticated callers learn nothing about the routes);
 *   <li>a read token on a write route: 403;
 *   <li>malformed JSON, a wrong field, an {@link IllegalArgumentException} from a handler: 400;
 *   <li>no such route: 404; a route that exists for another method: 405 with {@code Allow};
 *   <li>a failed {@code If-Match}: 412 with the current ETag;
 *   <li>a bug in a handler: 500 with an incident id that also appears in the log, never a stack
 *       trace.
 * </ul>
 *
 * <p>Built once; thread-safe.
 */
public final class AdminApi {
  /** Admin requests served, by route and status. */
  public static final MeterSpec REQUESTS =
      MeterSpec.timer(
          "brownout.admin.requests",
          "Admin API requests, by route id and status code.",
          "route",
          "status");

  /** Audit records that could not be written. */
  public static final MeterSpec AUDIT_FAILURES =
      MeterSpec.counter(
          "brownout.admin.audit.failures", "Audit records that a sink failed to write.");

  /** The prefix of Brownout's versioned admin routes. */
  public static final String API_ROOT = "/api/v1";

  /**
   * The web console: a page that asks for a token and then lists flags (kill, release, set the
   * rollout), the read mode (enter and clear reasons), breakers (force open, close, reset) and the
   * audit trail, through this API. Served without a token, as it holds no data.
   */
  public static final String CONSOLE_PATH = "/console";

  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

  private final List<AdminRoute> routes;
  private final AdminAuthenticator authenticator;
  private final AuditSink auditSink;
  private final BrownoutMetrics metrics;
  private final BrownoutClock clock;
  private final boolean requireReason;

  private AdminApi(Builder builder) {
    this.authenticator = Objects.requireNonNull(builder.authenticator, "authenticator");
    this.auditSink = builder.auditSink;
    this.metrics = builder.metrics;
    this.clock = builder.clock;
    this.requireReason = builder.requireReason;
    List<AdminRoute> all = new ArrayList<>();
    all.add(
        AdminRoute.get(
            API_ROOT, "admin.index", "This index: who you are and every route.", this::index));
    all.add(
        AdminRoute.get(
            API_ROOT + "/audit",
            "admin.audit",
            "Recent changes, newest first (?limit=50).",
            this::audit));
    all.addAll(builder.routes);
    for (int i = 0; i < all.size(); i++) {
      for (int j = 0; j < i; j++) {
        AdminRoute a = all.get(i);
        AdminRoute b = all.get(j);
        if (a.method().equals(b.method()) && a.sameShape(b)) {
          throw new IllegalArgumentException("admin routes " + b + " and " + a + " overlap");
        }
        if (a.id().equals(b.id())) {
          throw new IllegalArgumentException(
              "admin routes " + b + " and " + a + " share the id " + a.id());
        }
      }
    }
    this.routes = List.copyOf(all);
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The routes served, Brownout's own first. */
  public List<AdminRoute> routes() {
    return routes;
  }

  /** Handles a request. Never throws: every failure is a problem response. */
  public AdminResponse handle(AdminRequest request) {
    long start = clock.nanoTime();
    String routeId = "unmatched";
    AdminResponse response;
    if (request.method().equals("GET") && request.path().equals(CONSOLE_PATH)) {
      // The console is a static page with no data in it: it asks for the token and calls the API.
      metrics
          .timer(REQUESTS, "console", "200")
          .record(clock.nanoTime() - start, TimeUnit.NANOSECONDS);
      return Console.response();
    }
    try {
      Optional<AdminPrincipal> principal = authenticator.authenticate(request);
      if (principal.isEmpty()) {
        response =
            problem(
                    request,
                    Problem.of(
                        "unauthorized",
                        "Unauthorized",
                        401,
                        "send an admin token as 'Authorization: Bearer <token>'; the application"
                            + " prints or configures it (brownout.admin.read-tokens, brownout.admin.write-tokens)"))
                .withHeader("WWW-Authenticate", "Bearer realm=\"brownout\"");
      } else {
        Match match = match(request);
        if (match.route == null) {
          response = problem(request, match.problem);
        } else {
          routeId = match.route.id();
          response = invoke(match.route, request.routed(match.params, principal.get()));
        }
      }
    } catch (RuntimeException e) {
      response = internalError(request, e);
    }
    response =
        response
            .withHeader("Cache-Control", "no-store")
            .withHeader("X-Content-Type-Options", "nosniff");
    metrics
        .timer(REQUESTS, routeId, Integer.toString(response.status()))
        .record(clock.nanoTime() - start, TimeUnit.NANOSECONDS);
    return response;
  }

  private record Match(@Nullable AdminRoute route, Map<String, String> params, Problem problem) {}

  private Match match(AdminRequest request) {
    List<String> segments = AdminRequest.segments(request.path());
    Set<String> allowed = new LinkedHashSet<>();
    for (AdminRoute route : routes) {
      Optional<List<String>> params = route.match(segments);
      if (params.isEmpty()) {
        continue;
      }
      if (route.method().equals(request.method())) {
        Map<String, String> named = new LinkedHashMap<>();
        List<String> list = params.get();
        for (int i = 0; i < list.size(); i += 2) {
          named.put(list.get(i), list.get(i + 1));
        }
        return new Match(route, named, Problem.of("none", "none", 500, ""));
      }
      allowed.add(route.method());
    }
    if (!allowed.isEmpty()) {
      return new Match(
          null,
          Map.of(),
          Problem.of(
                  "method-not-allowed",
                  "Method not allowed",
                  405,
                  request.path()
                      + " does not support "
                      + request.method()
                      + "; it supports "
                      + String.join(", ", allowed))
              .with("allow", String.join(", ", allowed)));
    }
    return new Match(
        null,
        Map.of(),
        Problem.of(
            "not-found",
            "Not found",
            404,
            "no admin route " + request.path() + "; GET " + API_ROOT + " lists them"));
  }

  private AdminResponse invoke(AdminRoute route, AdminRequest request) {
    AdminPrincipal principal = request.principal();
    if (!principal.access().allows(route.access())) {
      return problem(
          request,
          Problem.of(
              "forbidden",
              "Forbidden",
              403,
              "'" + principal.name() + "' may only read; " + route + " needs a write token"));
    }
    if (route.access() == Access.WRITE && requireReason && request.reason().isEmpty()) {
      return problem(
          request,
          Problem.of(
              "reason-required",
              "Reason required",
              400,
              "changes must say why: add a '" + AdminRequest.REASON_HEADER + "' header"));
    }
    AdminResponse response;
    try {
      response = route.handler().handle(request);
    } catch (ProblemException e) {
      return problem(request, e.problem());
    } catch (CodecException | IllegalArgumentException e) {
      return problem(request, Problem.of("bad-request", "Bad request", 400, e.getMessage()));
    }
    if (route.access() == Access.WRITE && response.status() < 300) {
      audit(route, request, response);
    }
    return response;
  }

  private void audit(AdminRoute route, AdminRequest request, AdminResponse response) {
    AdminResponse.Change change =
        response.change().orElse(new AdminResponse.Change(request.path(), null, null));
    JsonCodec codec = JsonCodec.standard();
    try {
      auditSink.record(
          new AuditRecord(
              clock.instant(),
              request.principal().name(),
              route.id(),
              change.target(),
              change.before() == null ? null : codec.encodeToString(change.before()),
              change.after() == null ? null : codec.encodeToString(change.after()),
              request.reason().orElse(null)));
    } catch (RuntimeException e) {
      metrics.counter(AUDIT_FAILURES).increment();
      log.error(
          "Could not write the audit record of {} on {} by {}",
          route.id(),
          change.target(),
          request.principal().name(),
          e);
    }
  }

  private AdminResponse index(AdminRequest request) {
    List<Map<String, String>> list = new ArrayList<>();
    for (AdminRoute route : routes) {
      list.add(
          Map.of(
              "method",
              route.method(),
              "path",
              route.template(),
              "access",
              route.access().name().toLowerCase(java.util.Locale.ROOT),
              "id",
              route.id(),
              "summary",
              route.summary()));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("service", "brownout");
    body.put("principal", request.principal().name());
    body.put("access", request.principal().access().name().toLowerCase(java.util.Locale.ROOT));
    body.put("routes", list);
    return AdminResponse.ok(body);
  }

  private AdminResponse audit(AdminRequest request) {
    if (!auditSink.keepsRecords()) {
      throw ProblemException.notFound(
          "the configured audit sink forwards records without keeping them; read them where it sends them");
    }
    int limit = request.queryInt("limit", 50, 1, 1000);
    return AdminResponse.ok(Map.of("records", auditSink.recent(limit)));
  }

  private static AdminResponse problem(AdminRequest request, Problem problem) {
    AdminResponse response = AdminResponse.problem(problem.withInstance(request.path()));
    Object allow = problem.extensions().get("allow");
    return allow == null ? response : response.withHeader("Allow", allow.toString());
  }

  private static AdminResponse internalError(AdminRequest request, RuntimeException e) {
    String incident = UUID.randomUUID().toString();
    log.error("Admin request {} failed; incident {}", request, incident, e);
    return problem(
        request,
        Problem.of(
                "internal-error",
                "Internal error",
                500,
                "the admin API failed unexpectedly; the server log has the details under incident "
                    + incident)
            .with("incident", incident));
  }

  /** Builds an {@link AdminApi}. Not thread-safe. */
  public static final class Builder {
    private final List<AdminRoute> routes = new ArrayList<>();
    private @Nullable AdminAuthenticator authenticator;
    private AuditSink auditSink = AuditSink.allOf(new LogAuditSink(), new InMemoryAuditSink(1000));
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    private BrownoutClock clock = BrownoutClock.system();
    private boolean requireReason;

    private Builder() {}

    /** Adds routes contributed by a module. */
    public Builder routes(Collection<AdminRoute> more) {
      routes.addAll(more);
      return this;
    }

    /** Adds routes. */
    public Builder routes(AdminRoute... more) {
      return routes(List.of(more));
    }

    /** Who may call: required. */
    public Builder authenticator(AdminAuthenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /**
     * Where audit records go. Default: the log ({@link LogAuditSink}) and the last 1000 in memory,
     * which {@code GET /api/v1/audit} serves.
     */
    public Builder auditSink(AuditSink sink) {
      this.auditSink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /** Where request metrics go. Default: an in-memory registry. */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** The clock for audit timestamps and request timing. */
    public Builder clock(BrownoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Whether every change must carry a {@code Brownout-Reason} header. Default false. */
    public Builder requireReason(boolean require) {
      this.requireReason = require;
      return this;
    }

    /**
     * Takes the tokens and the reason policy from configuration ({@code brownout.admin.*}). Each
     * token's name in the audit trail is {@code read-N} or {@code write-N}.
     */
    public Builder configure(BrownoutConfig config) {
      BearerTokenAuthenticator.Builder tokens = BearerTokenAuthenticator.builder();
      List<String> read = config.get(CoreConfig.ADMIN_READ_TOKENS);
      List<String> write = config.get(CoreConfig.ADMIN_WRITE_TOKENS);
      for (int i = 0; i < read.size(); i++) {
        tokens.readToken("read-" + (i + 1), read.get(i));
      }
      for (int i = 0; i < write.size(); i++) {
        tokens.writeToken("write-" + (i + 1), write.get(i));
      }
      BearerTokenAuthenticator authenticator = tokens.build();
      if (authenticator.isEmpty()) {
        log.warn(
            "No admin tokens are configured (brownout.admin.read-tokens, brownout.admin.write-tokens);"
                + " every admin request will be refused with 401");
      }
      return authenticator(authenticator)
          .requireReason(config.get(CoreConfig.ADMIN_REQUIRE_REASON));
    }

    /**
     * Builds the API.
     *
     * @throws IllegalArgumentException if two routes overlap or share an id
     * @throws NullPointerException if no authenticator was given
     */
    public AdminApi build() {
      if (authenticator == null) {
        throw new IllegalStateException(
            "an AdminApi needs an authenticator: configure tokens with configure(config) or give one with authenticator(...)");
      }
      return new AdminApi(this);
    }
  }
}
