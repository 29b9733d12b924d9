package dev.brownout.core.admin;

import dev.brownout.core.TransientFailure;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.CoreConfig;
import dev.brownout.core.config.Settings;
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
 * application/problem+json}, and writes an audit record for every successful change. The transports
 * of {@code brownout-admin} (an embedded server, a servlet) are thin layers over {@link
 * #handle(AdminRequest)}; core itself starts no server.
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
          "brownout.admin.audit.failures",
          "Attempts to write an audit record that the sink refused; the record is kept and"
              + " written again.");

  /** Audit records waiting for the sink. */
  public static final MeterSpec AUDIT_PENDING =
      MeterSpec.gauge(
          "brownout.admin.audit.pending",
          "Audit records reserved by changes in flight or waiting for a failing sink; at "
              + AuditTrail.CAPACITY
              + " changes are refused.",
          "");

  /** The prefix of Brownout's versioned admin routes. */
  public static final String API_ROOT = "/api/v1";

  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);

  private final List<AdminRoute> routes;
  private final AdminAuthenticator authenticator;
  private final AuditSink auditSink;
  private final AuditTrail auditTrail;
  private final BrownoutMetrics metrics;
  private final BrownoutClock clock;
  private final boolean requireReason;

  private AdminApi(Builder builder, AdminAuthenticator authenticator) {
    this.authenticator = authenticator;
    this.auditSink = builder.auditSink;
    this.auditTrail =
        new AuditTrail(auditSink, builder.metrics, builder.clock, AuditTrail.CAPACITY);
    this.metrics = builder.metrics;
    this.clock = builder.clock;
    this.requireReason = builder.settings.get(CoreConfig.ADMIN_REQUIRE_REASON);
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

  /**
   * Handles a request. Never throws: every failure is a problem response. A transport that has read
   * only the request's head should first ask {@link #refuseBeforeBody(AdminRequest)}.
   */
  public AdminResponse handle(AdminRequest request) {
    long start = clock.nanoTime();
    String routeId = "unmatched";
    AdminResponse response;
    try {
      Gate gate = gate(request);
      if (gate.refusal != null) {
        routeId = gate.routeId;
        response = gate.refusal;
      } else {
        Match match = Objects.requireNonNull(gate.match);
        AdminRoute route = Objects.requireNonNull(match.route());
        routeId = route.id();
        response =
            invoke(route, request.routed(match.params(), Objects.requireNonNull(gate.principal)));
      }
    } catch (RuntimeException e) {
      response = internalError(request, e);
    }
    return finish(response, routeId, start);
  }

  /**
   * The answer to a request that is refused on its head alone: no or unknown token (401), no such
   * route (404, 405), a read token on a write route (403). Transports call this once they have read
   * the request line and headers and before they read the body, so an unauthenticated client cannot
   * make the server wait for, or buffer, a body. Empty when the request may go on to {@link
   * #handle(AdminRequest)}.
   */
  public Optional<AdminResponse> refuseBeforeBody(AdminRequest head) {
    long start = clock.nanoTime();
    try {
      Gate gate = gate(head);
      return gate.refusal == null
          ? Optional.empty()
          : Optional.of(finish(gate.refusal, gate.routeId, start));
    } catch (RuntimeException e) {
      return Optional.of(finish(internalError(head, e), "unmatched", start));
    }
  }

  /** What the head of a request decides: a refusal, or the route and who calls it. */
  private static final class Gate {
    @Nullable AdminResponse refusal;
    String routeId = "unmatched";
    @Nullable Match match;
    @Nullable AdminPrincipal principal;
  }

  private Gate gate(AdminRequest request) {
    Gate gate = new Gate();
    Optional<AdminPrincipal> principal = authenticator.authenticate(request);
    if (principal.isEmpty()) {
      gate.refusal =
          problem(
                  request,
                  Problem.of(
                      "unauthorized",
                      "Unauthorized",
                      401,
                      "send an admin token as 'Authorization: Bearer <token>'; the application"
                          + " prints or configures it (brownout.admin.read-tokens,"
                          + " brownout.admin.write-tokens)"))
              .withHeader("WWW-Authenticate", "Bearer realm=\"brownout\"");
      return gate;
    }
    Match match = match(request);
    if (match.route == null) {
      gate.refusal = problem(request, match.problem);
      return gate;
    }
    if (request.malformedQuery().isPresent()) {
      gate.routeId = match.route.id();
      gate.refusal =
          problem(
              request,
              Problem.of(
                  "bad-request",
                  "Bad request",
                  400,
                  "the query's '"
                      + request.malformedQuery().get()
                      + "' is not valid percent-encoding (a % must be followed by two hex"
                      + " digits)"));
      return gate;
    }
    gate.routeId = match.route.id();
    AdminPrincipal who = principal.get();
    if (!who.access().allows(match.route.access())) {
      gate.refusal =
          problem(
              request,
              Problem.of(
                  "forbidden",
                  "Forbidden",
                  403,
                  "'" + who.name() + "' may only read; " + match.route + " needs a write token"));
      return gate;
    }
    gate.match = match;
    gate.principal = who;
    return gate;
  }

  private AdminResponse finish(AdminResponse response, String routeId, long start) {
    AdminResponse done =
        response
            .withHeader("Cache-Control", "no-store")
            .withHeader("X-Content-Type-Options", "nosniff");
    metrics
        .timer(REQUESTS, routeId, Integer.toString(done.status()))
        .record(clock.nanoTime() - start, TimeUnit.NANOSECONDS);
    return done;
  }

  private record Match(@Nullable AdminRoute route, Map<String, String> params, Problem problem) {}

  private Match match(AdminRequest request) {
    List<String> segments;
    try {
      segments = AdminRequest.segments(request.path());
    } catch (IllegalArgumentException e) {
      return new Match(
          null,
          Map.of(),
          Problem.of(
              "bad-request",
              "Bad request",
              400,
              "the path "
                  + request.path()
                  + " is not valid percent-encoding (a % must be followed by two hex digits)"));
    }
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
    if (route.access() == Access.WRITE && requireReason && request.reason().isEmpty()) {
      return problem(
          request,
          Problem.of(
              "reason-required",
              "Reason required",
              400,
              "changes must say why: add a '" + AdminRequest.REASON_HEADER + "' header"));
    }
    if (route.access() != Access.WRITE) {
      return run(route, request);
    }
    // A change and its audit record go together: room for the record first, or no change at all.
    if (!auditTrail.reserve()) {
      return problem(
              request,
              Problem.of(
                  "audit-unavailable",
                  "Audit trail unavailable",
                  503,
                  "the audit sink has refused records for a while and "
                      + auditTrail.waiting()
                      + " wait to be written; changes are refused, and nothing was changed, until"
                      + " it takes them"))
          .withHeader("Retry-After", "5");
    }
    AdminResponse response;
    try {
      response = run(route, request);
    } catch (RuntimeException e) {
      auditTrail.release();
      throw e;
    }
    if (response.status() < 300) {
      audit(route, request, response);
    } else {
      auditTrail.release();
    }
    return response;
  }

  private AdminResponse run(AdminRoute route, AdminRequest request) {
    try {
      return route.handler().handle(request);
    } catch (ProblemException e) {
      return problem(request, e.problem());
    } catch (CodecException | IllegalArgumentException e) {
      return problem(request, Problem.of("bad-request", "Bad request", 400, e.getMessage()));
    } catch (RuntimeException e) {
      if (e instanceof TransientFailure) {
        return problem(
                request,
                Problem.of(
                        "unavailable",
                        "Dependency unavailable",
                        503,
                        "a dependency did not answer in time, so the change may not have been"
                            + " made; read the resource again before you retry: "
                            + e.getMessage())
                    .with("retryable", true))
            .withHeader("Retry-After", "5");
      }
      throw e;
    }
  }

  private void audit(AdminRoute route, AdminRequest request, AdminResponse response) {
    AdminResponse.Change change =
        response.change().orElse(new AdminResponse.Change(request.path(), null, null));
    JsonCodec codec = JsonCodec.standard();
    auditTrail.record(
        AuditRecord.builder(
                clock.instant(), request.principal().name(), route.id(), change.target())
            .before(change.before() == null ? null : codec.encodeToString(change.before()))
            .after(change.after() == null ? null : codec.encodeToString(change.after()))
            .reason(request.reason().orElse(null))
            .build());
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
    private final Settings settings =
        Settings.of(
            List.of(
                CoreConfig.ADMIN_READ_TOKENS,
                CoreConfig.ADMIN_WRITE_TOKENS,
                CoreConfig.ADMIN_REQUIRE_REASON));
    private @Nullable AdminAuthenticator authenticator;
    private AuditSink auditSink = AuditSink.allOf(new LogAuditSink(), new InMemoryAuditSink(1000));
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    private BrownoutClock clock = BrownoutClock.system();

    private Builder() {}

    /** Adds routes contributed by a module ({@code flags.adminRoutes()}, …). */
    public Builder routes(Collection<AdminRoute> more) {
      routes.addAll(more);
      return this;
    }

    /** Adds routes. */
    public Builder routes(AdminRoute... more) {
      return routes(List.of(more));
    }

    /**
     * Who may call, when the host application authenticates admin callers itself ({@code
     * brownout-admin}'s {@code ContainerRolesAuthenticator}, say). Without it, callers present the
     * bearer tokens of {@link #readTokens} and {@link #writeTokens}.
     */
    public Builder authenticator(AdminAuthenticator authenticator) {
      this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
      return this;
    }

    /**
     * Bearer tokens that may read ({@code brownout.admin.read-tokens}); each is named {@code
     * read-N} in the audit trail.
     */
    public Builder readTokens(List<String> tokens) {
      settings.set(CoreConfig.ADMIN_READ_TOKENS, List.copyOf(tokens));
      return this;
    }

    /**
     * Bearer tokens that may read and change ({@code brownout.admin.write-tokens}); each is named
     * {@code write-N} in the audit trail.
     */
    public Builder writeTokens(List<String> tokens) {
      settings.set(CoreConfig.ADMIN_WRITE_TOKENS, List.copyOf(tokens));
      return this;
    }

    /**
     * Whether every change must carry a {@code Brownout-Reason} header ({@code
     * brownout.admin.require-reason}). Default false.
     */
    public Builder requireReason(boolean require) {
      settings.set(CoreConfig.ADMIN_REQUIRE_REASON, require);
      return this;
    }

    /**
     * Reads {@code brownout.admin.read-tokens}, {@code brownout.admin.write-tokens} and {@code
     * brownout.admin.require-reason} from {@code config}; values given to the typed setters win.
     */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
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

    private AdminAuthenticator tokens() {
      BearerTokenAuthenticator.Builder tokens = BearerTokenAuthenticator.builder();
      List<String> read = settings.get(CoreConfig.ADMIN_READ_TOKENS);
      List<String> write = settings.get(CoreConfig.ADMIN_WRITE_TOKENS);
      for (int i = 0; i < read.size(); i++) {
        tokens.readToken("read-" + (i + 1), read.get(i));
      }
      for (int i = 0; i < write.size(); i++) {
        tokens.writeToken("write-" + (i + 1), write.get(i));
      }
      BearerTokenAuthenticator built = tokens.build();
      if (built.isEmpty()) {
        log.warn(
            "No admin tokens are configured ({}, {}); every admin request will be refused with 401",
            CoreConfig.ADMIN_READ_TOKENS.name(),
            CoreConfig.ADMIN_WRITE_TOKENS.name());
      }
      return built;
    }

    /**
     * Builds the API.
     *
     * @throws IllegalArgumentException if two routes overlap or share an id, or a token is too
     *     short
     * @throws IllegalStateException if both an authenticator and tokens were given
     */
    public AdminApi build() {
      boolean tokensGiven =
          !settings.get(CoreConfig.ADMIN_READ_TOKENS).isEmpty()
              || !settings.get(CoreConfig.ADMIN_WRITE_TOKENS).isEmpty();
      if (authenticator != null && tokensGiven) {
        throw new IllegalStateException(
            "an AdminApi authenticates with either an authenticator(...) or bearer tokens, not"
                + " both; tokens came from "
                + settings.origin(CoreConfig.ADMIN_WRITE_TOKENS)
                + "/"
                + settings.origin(CoreConfig.ADMIN_READ_TOKENS));
      }
      return new AdminApi(this, authenticator != null ? authenticator : tokens());
    }
  }
}
