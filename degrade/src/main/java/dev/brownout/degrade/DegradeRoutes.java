package dev.brownout.degrade;

import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.Problem;
import dev.brownout.core.admin.ProblemException;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.RecordTooLargeException;
import dev.brownout.state.StateException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The degrade module's admin routes: read mode under {@code /api/v1/read-mode}; circuit breakers,
 * retries, bulkheads, rate limits and timeouts under {@code /api/v1/breakers}, {@code retries},
 * {@code bulkheads}, {@code rate-limits} and {@code timeouts}, their changes kept in the store so
 * they hold on every server. Every change is audited with its state before and after; changes to
 * guards take {@code If-Match} with the ETag a read gave.
 */
final class DegradeRoutes {
  private DegradeRoutes() {}

  /**
   * A reason set by hand.
   *
   * @param kind manual or maintenance (automatic reasons belong to the write path)
   * @param message what users are told
   * @param eta when writes should work again, if known
   */
  record ReasonRequest(String kind, String message, @Nullable Instant eta) {}

  static List<AdminRoute> readMode(ReadMode readMode) {
    String root = "/api/v1/read-mode";
    return List.of(
        AdminRoute.get(
            root,
            "read-mode.get",
            "The mode, every active reason, and the Retry-After writes get.",
            request -> AdminResponse.ok(view(readMode))),
        AdminRoute.write(
            "PUT",
            root + "/reasons/{id}",
            "read-mode.enter",
            "Set a manual or maintenance reason: {kind, message, eta?}. Other reasons stay.",
            request -> enter(readMode, request)),
        AdminRoute.write(
            "DELETE",
            root + "/reasons/{id}",
            "read-mode.leave",
            "Clear one reason; the others stay.",
            request -> leave(readMode, request)));
  }

  private static Map<String, Object> view(ReadMode readMode) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("mode", readMode.mode().headerValue());
    view.put("reasons", readMode.reasons());
    readMode.retryAfter().ifPresent(eta -> view.put("retryAfter", eta.toString()));
    Map<String, Object> fleet = new LinkedHashMap<>();
    fleet.put("server", readMode.serverId());
    fleet.put("mode", readMode.fleetMode().name().toLowerCase(Locale.ROOT));
    if (readMode.fleetMode() == FleetMode.QUORUM) {
      fleet.put("liveServers", readMode.liveServers());
    }
    // Which servers report their write path failing, whether or not it holds here.
    List<Map<String, Object>> reporting = new ArrayList<>();
    for (ReadOnlyReason reason : readMode.allReasons()) {
      if (reason.server() != null) {
        reporting.add(
            Map.of(
                "server",
                reason.server(),
                "reason",
                reason.id(),
                "since",
                reason.since().toString(),
                "appliesHere",
                readMode.reasons().contains(reason)));
      }
    }
    fleet.put("reporting", reporting);
    view.put("fleet", fleet);
    return view;
  }

  private static AdminResponse enter(ReadMode readMode, AdminRequest request) {
    String id = request.pathParam("id");
    ReasonRequest body = request.body(ReasonRequest.class);
    ReadOnlyReason.Kind kind;
    try {
      kind = ReadOnlyReason.Kind.valueOf(String.valueOf(body.kind()).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest(
          "kind must be manual or maintenance but was '" + body.kind() + "'");
    }
    if (kind == ReadOnlyReason.Kind.AUTOMATIC) {
      throw ProblemException.badRequest(
          "automatic reasons are set by the write path, not by hand; use manual or maintenance");
    }
    Instant now = readMode.clock().instant();
    if (body.eta() != null && !body.eta().isAfter(now)) {
      throw ProblemException.badRequest(
          "eta must be in the future (an ISO-8601 instant such as 2026-12-01T22:00:00Z) but was "
              + body.eta());
    }
    ReadOnlyReason reason;
    try {
      reason =
          ReadOnlyReason.builder(id, kind)
              .source(request.principal().name())
              .since(now)
              .message(body.message())
              .eta(body.eta())
              .build();
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest(e.getMessage());
    }
    Map<String, Object> before = view(readMode);
    try {
      // Every server or none: a reason the store cannot take is not held on this server alone.
      readMode.enterShared(reason);
    } catch (RecordTooLargeException e) {
      throw ProblemException.badRequest("the reason is too large for the store: " + e.getMessage());
    } catch (StateException e) {
      throw new ProblemException(
          Problem.of(
                  "store-unavailable",
                  "Store unavailable",
                  503,
                  "the store cannot be reached, so the reason was not set on any server; try"
                      + " again: "
                      + e.getMessage())
              .with("retryable", true));
    }
    return AdminResponse.ok(reason).withChange("read-mode/" + id, before, view(readMode));
  }

  private static AdminResponse leave(ReadMode readMode, AdminRequest request) {
    String id = request.pathParam("id");
    Map<String, Object> before = view(readMode);
    if (readMode.reasons().stream().noneMatch(r -> r.id().equals(id))) {
      throw ProblemException.notFound("no active read-only reason '" + id + "'");
    }
    readMode.leave(id);
    return AdminResponse.noContent().withChange("read-mode/" + id, before, view(readMode));
  }

  static List<AdminRoute> resilience(Resilience resilience) {
    List<AdminRoute> routes = new ArrayList<>();
    String breakers = "/api/v1/breakers";
    routes.add(
        AdminRoute.get(
            breakers,
            "breakers.list",
            "Every circuit breaker: state, rates, calls, settings, and what operators forced.",
            request -> AdminResponse.ok(Map.of("breakers", listBreakers(resilience)))));
    routes.add(
        AdminRoute.get(
            breakers + "/{name}",
            "breakers.get",
            "One circuit breaker; its ETag is the version of its control.",
            request -> {
              String name = request.pathParam("name");
              Map<String, Object> view = describe(resilience, find(resilience, name));
              return AdminResponse.ok(view).withETag(etag(resilience, "breaker", name));
            }));
    routes.add(
        AdminRoute.write(
            "POST",
            breakers + "/{name}/{action}",
            "breakers.transition",
            "force-open, force-closed (never opens) or release (counting again, closed) a breaker"
                + " on every server; close and reset are release.",
            request -> transition(resilience, request)));
    routes.add(
        AdminRoute.write(
            "PUT",
            breakers + "/{name}/config",
            "breakers.configure",
            "Change a breaker's settings on every server; fields left out keep their value, and"
                + " a forced state stays forced.",
            request ->
                change(
                    resilience,
                    request,
                    "breaker",
                    r ->
                        resilience.changeBreaker(
                            r.pathParam("name"),
                            r.body(ControlSettings.Breaker.class),
                            version(resilience, "breaker", r.pathParam("name"))),
                    name -> describe(resilience, find(resilience, name)))));
    routes.addAll(
        settingsRoutes(
            resilience,
            "/api/v1/retries",
            "retries",
            "retry",
            resilience::retryNames,
            name -> ControlSettings.Retry.of(resilience.retry(name).getRetryConfig()),
            (name, r, v) -> resilience.changeRetry(name, r.body(ControlSettings.Retry.class), v)));
    routes.addAll(
        settingsRoutes(
            resilience,
            "/api/v1/bulkheads",
            "bulkheads",
            "bulkhead",
            resilience::bulkheadNames,
            name -> ControlSettings.Bulkhead.of(resilience.bulkhead(name).getBulkheadConfig()),
            (name, r, v) ->
                resilience.changeBulkhead(name, r.body(ControlSettings.Bulkhead.class), v)));
    routes.addAll(
        settingsRoutes(
            resilience,
            "/api/v1/rate-limits",
            "rate-limits",
            "rate-limit",
            resilience::rateLimiterNames,
            name ->
                ControlSettings.RateLimit.of(resilience.rateLimiter(name).getRateLimiterConfig()),
            (name, r, v) ->
                resilience.changeRateLimit(name, r.body(ControlSettings.RateLimit.class), v)));
    routes.addAll(
        settingsRoutes(
            resilience,
            "/api/v1/timeouts",
            "timeouts",
            "timeout",
            resilience::timeoutNames,
            name -> new ControlSettings.Timeout(resilience.timeout(name).toMillis()),
            (name, r, v) ->
                resilience.changeTimeout(name, r.body(ControlSettings.Timeout.class), v)));
    return routes;
  }

  /** Changes one guard's stored control. */
  @FunctionalInterface
  private interface Change {
    ResilienceControl.Control apply(String name, AdminRequest request, OptionalLong version);
  }

  private static List<AdminRoute> settingsRoutes(
      Resilience resilience,
      String root,
      String id,
      String kind,
      java.util.function.Supplier<java.util.Set<String>> names,
      java.util.function.Function<String, Object> settings,
      Change change) {
    return List.of(
        AdminRoute.get(
            root,
            id + ".list",
            "Every declared " + kind + " with its settings now.",
            request -> {
              List<Map<String, Object>> all = new ArrayList<>();
              for (String name : names.get()) {
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("name", name);
                view.put("settings", settings.apply(name));
                view.put("etag", etag(resilience, kind, name));
                all.add(view);
              }
              return AdminResponse.ok(Map.of(id, all));
            }),
        AdminRoute.write(
            "PUT",
            root + "/{name}/config",
            id + ".configure",
            "Change a " + kind + "'s settings on every server; fields left out keep their value.",
            request ->
                change(
                    resilience,
                    request,
                    kind,
                    r ->
                        change.apply(
                            r.pathParam("name"), r, version(resilience, kind, r.pathParam("name"))),
                    name -> Map.of("name", name, "settings", settings.apply(name)))));
  }

  /** Applies a change with If-Match, audited with the view before and after. */
  private static AdminResponse change(
      Resilience resilience,
      AdminRequest request,
      String kind,
      java.util.function.Function<AdminRequest, ResilienceControl.Control> apply,
      java.util.function.Function<String, Object> view) {
    String name = request.pathParam("name");
    Object before;
    try {
      before = view.apply(name);
    } catch (IllegalArgumentException e) {
      throw ProblemException.notFound(e.getMessage());
    }
    request.checkIfMatch(etag(resilience, kind, name));
    try {
      ResilienceControl.Control done = apply.apply(request);
      Object after = view.apply(name);
      return AdminResponse.ok(after)
          .withETag(Long.toString(done.version()))
          .withChange(kind + "/" + name, before, after);
    } catch (PreconditionFailedException e) {
      throw ProblemException.preconditionFailed(
          "the " + kind + " was changed meanwhile; read it again and reapply your change",
          etag(resilience, kind, name));
    }
  }

  private static OptionalLong version(Resilience resilience, String kind, String name) {
    return resilience
        .control(kind, name)
        .map(control -> OptionalLong.of(control.version()))
        .orElse(OptionalLong.empty());
  }

  private static String etag(Resilience resilience, String kind, String name) {
    return "\""
        + resilience
            .control(kind, name)
            .map(control -> Long.toString(control.version()))
            .orElse("0")
        + "\"";
  }

  private static List<Map<String, Object>> listBreakers(Resilience resilience) {
    List<Map<String, Object>> all = new ArrayList<>();
    for (String name : resilience.circuitBreakerNames()) {
      all.add(describe(resilience, resilience.circuitBreaker(name)));
    }
    return all;
  }

  private static Map<String, Object> describe(
      Resilience resilience, io.github.resilience4j.circuitbreaker.CircuitBreaker breaker) {
    var metrics = breaker.getMetrics();
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("name", breaker.getName());
    view.put("state", breaker.getState().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    view.put("failureRate", metrics.getFailureRate());
    view.put("slowCallRate", metrics.getSlowCallRate());
    view.put("bufferedCalls", metrics.getNumberOfBufferedCalls());
    view.put("failedCalls", metrics.getNumberOfFailedCalls());
    view.put("notPermittedCalls", metrics.getNumberOfNotPermittedCalls());
    view.put("settings", ControlSettings.Breaker.of(breaker.getCircuitBreakerConfig()));
    var control = resilience.control("breaker", breaker.getName());
    view.put("forced", control.map(ResilienceControl.Control::forced).orElse(null));
    view.put("etag", etag(resilience, "breaker", breaker.getName()));
    return view;
  }

  private static io.github.resilience4j.circuitbreaker.CircuitBreaker find(
      Resilience resilience, String name) {
    try {
      return resilience.circuitBreaker(name);
    } catch (IllegalArgumentException e) {
      throw ProblemException.notFound(e.getMessage());
    }
  }

  private static AdminResponse transition(Resilience resilience, AdminRequest request) {
    String name = request.pathParam("name");
    var breaker = find(resilience, name);
    String action = request.pathParam("action");
    String forced =
        switch (action) {
          case "force-open" -> "open";
          case "force-closed" -> "closed";
          case "release", "close", "reset" -> "";
          default ->
              throw ProblemException.badRequest(
                  "action must be force-open, force-closed or release (close and reset are"
                      + " release) but was '"
                      + action
                      + "'");
        };
    Map<String, Object> before = describe(resilience, breaker);
    request.checkIfMatch(etag(resilience, "breaker", name));
    ResilienceControl.Control done;
    try {
      done = resilience.force(name, forced, version(resilience, "breaker", name));
    } catch (PreconditionFailedException e) {
      throw ProblemException.preconditionFailed(
          "the breaker was changed meanwhile; read it again and reapply your change",
          etag(resilience, "breaker", name));
    }
    Map<String, Object> after = describe(resilience, resilience.circuitBreaker(name));
    return AdminResponse.ok(after)
        .withETag(Long.toString(done.version()))
        .withChange("breaker/" + name, before, after);
  }
}
