package dev.brownout.degrade;

import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.Problem;
import dev.brownout.core.admin.ProblemException;
import dev.brownout.state.RecordTooLargeException;
import dev.brownout.state.StateException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The degrade module's admin routes: read mode under {@code /api/v1/read-mode}, circuit breakers
 * under {@code /api/v1/breakers}. Every change is audited with its state before and after.
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

  /**
   * New breaker settings; fields left out keep their current value.
   *
   * @param failureRateThreshold percent of failed calls that opens the breaker
   * @param slowCallRateThreshold percent of slow calls that opens it
   * @param slowCallDurationMillis how slow a slow call is
   * @param waitInOpenStateMillis how long it stays open before trying half-open
   * @param slidingWindowSize how many calls the rates are over
   * @param minimumNumberOfCalls calls needed before the rates count
   */
  record BreakerSettings(
      @Nullable Float failureRateThreshold,
      @Nullable Float slowCallRateThreshold,
      @Nullable Long slowCallDurationMillis,
      @Nullable Long waitInOpenStateMillis,
      @Nullable Integer slidingWindowSize,
      @Nullable Integer minimumNumberOfCalls) {}

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
    Instant now = Instant.now();
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

  /** The ranges the admin API accepts for breaker settings; the docs list the same. */
  static final float MAX_RATE = 100;

  static final long MAX_SLOW_CALL_MILLIS = Duration.ofMinutes(10).toMillis();
  static final long MAX_WAIT_IN_OPEN_MILLIS = Duration.ofHours(1).toMillis();
  static final int MAX_WINDOW = 10_000;

  /** Every setting outside its range, named with its value and range. */
  static List<String> outOfRange(BreakerSettings body, CircuitBreakerConfig current) {
    List<String> problems = new ArrayList<>();
    rate(problems, "failureRateThreshold", body.failureRateThreshold());
    rate(problems, "slowCallRateThreshold", body.slowCallRateThreshold());
    range(problems, "slowCallDurationMillis", body.slowCallDurationMillis(), MAX_SLOW_CALL_MILLIS);
    range(problems, "waitInOpenStateMillis", body.waitInOpenStateMillis(), MAX_WAIT_IN_OPEN_MILLIS);
    Integer window = body.slidingWindowSize();
    Integer minimum = body.minimumNumberOfCalls();
    range(problems, "slidingWindowSize", window == null ? null : (long) window, MAX_WINDOW);
    range(problems, "minimumNumberOfCalls", minimum == null ? null : (long) minimum, MAX_WINDOW);
    int size = window != null ? window : current.getSlidingWindowSize();
    int least = minimum != null ? minimum : current.getMinimumNumberOfCalls();
    if ((window != null || minimum != null)
        && current.getSlidingWindowType() == CircuitBreakerConfig.SlidingWindowType.COUNT_BASED
        && least > size) {
      problems.add(
          "minimumNumberOfCalls ("
              + least
              + ") cannot exceed slidingWindowSize ("
              + size
              + ") for a count-based window");
    }
    return problems;
  }

  private static void rate(List<String> problems, String name, @Nullable Float value) {
    if (value != null && !(value > 0 && value <= MAX_RATE)) {
      problems.add(name + " must be above 0 and at most 100 (percent) but was " + value);
    }
  }

  private static void range(List<String> problems, String name, @Nullable Long value, long max) {
    if (value != null && (value < 1 || value > max)) {
      problems.add(name + " must be between 1 and " + max + " but was " + value);
    }
  }

  static List<AdminRoute> breakers(Resilience resilience) {
    String root = "/api/v1/breakers";
    return List.of(
        AdminRoute.get(
            root,
            "breakers.list",
            "Every circuit breaker: state, rates, calls and settings.",
            request -> AdminResponse.ok(Map.of("breakers", list(resilience)))),
        AdminRoute.write(
            "POST",
            root + "/{name}/{action}",
            "breakers.transition",
            "force-open, force-closed (never opens), close or reset a breaker.",
            request -> transition(resilience, request)),
        AdminRoute.write(
            "PUT",
            root + "/{name}/config",
            "breakers.configure",
            "Replace a breaker's settings live; fields left out keep their value.",
            request -> configure(resilience, request)));
  }

  private static List<Map<String, Object>> list(Resilience resilience) {
    List<Map<String, Object>> all = new ArrayList<>();
    for (String name : resilience.circuitBreakerNames()) {
      all.add(describe(resilience.circuitBreaker(name)));
    }
    return all;
  }

  private static Map<String, Object> describe(
      io.github.resilience4j.circuitbreaker.CircuitBreaker breaker) {
    var metrics = breaker.getMetrics();
    CircuitBreakerConfig config = breaker.getCircuitBreakerConfig();
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("name", breaker.getName());
    view.put("state", breaker.getState().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    view.put("failureRate", metrics.getFailureRate());
    view.put("slowCallRate", metrics.getSlowCallRate());
    view.put("bufferedCalls", metrics.getNumberOfBufferedCalls());
    view.put("failedCalls", metrics.getNumberOfFailedCalls());
    view.put("notPermittedCalls", metrics.getNumberOfNotPermittedCalls());
    view.put("settings", settings(config));
    return view;
  }

  private static BreakerSettings settings(CircuitBreakerConfig config) {
    return new BreakerSettings(
        config.getFailureRateThreshold(),
        config.getSlowCallRateThreshold(),
        config.getSlowCallDurationThreshold().toMillis(),
        config.getWaitIntervalFunctionInOpenState().apply(1),
        config.getSlidingWindowSize(),
        config.getMinimumNumberOfCalls());
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
    var breaker = find(resilience, request.pathParam("name"));
    String action = request.pathParam("action");
    Map<String, Object> before = describe(breaker);
    switch (action) {
      case "force-open" -> breaker.transitionToForcedOpenState();
      case "force-closed" -> breaker.transitionToDisabledState();
      case "close" -> breaker.transitionToClosedState();
      case "reset" -> breaker.reset();
      default ->
          throw ProblemException.badRequest(
              "action must be force-open, force-closed, close or reset but was '" + action + "'");
    }
    Map<String, Object> after = describe(breaker);
    return AdminResponse.ok(after).withChange("breaker/" + breaker.getName(), before, after);
  }

  private static AdminResponse configure(Resilience resilience, AdminRequest request) {
    var breaker = find(resilience, request.pathParam("name"));
    BreakerSettings body = request.body(BreakerSettings.class);
    CircuitBreakerConfig current = breaker.getCircuitBreakerConfig();
    List<String> problems = outOfRange(body, current);
    if (!problems.isEmpty()) {
      throw ProblemException.badRequest(
          "invalid breaker settings, nothing changed: " + String.join("; ", problems));
    }
    Map<String, Object> before = describe(breaker);
    CircuitBreakerConfig.Builder next = CircuitBreakerConfig.from(current);
    try {
      if (body.failureRateThreshold() != null) {
        next.failureRateThreshold(body.failureRateThreshold());
      }
      if (body.slowCallRateThreshold() != null) {
        next.slowCallRateThreshold(body.slowCallRateThreshold());
      }
      if (body.slowCallDurationMillis() != null) {
        next.slowCallDurationThreshold(Duration.ofMillis(body.slowCallDurationMillis()));
      }
      if (body.waitInOpenStateMillis() != null) {
        next.waitDurationInOpenState(Duration.ofMillis(body.waitInOpenStateMillis()));
      }
      if (body.slidingWindowSize() != null || body.minimumNumberOfCalls() != null) {
        int size =
            body.slidingWindowSize() != null
                ? body.slidingWindowSize()
                : current.getSlidingWindowSize();
        int minimum =
            body.minimumNumberOfCalls() != null
                ? body.minimumNumberOfCalls()
                : current.getMinimumNumberOfCalls();
        next.slidingWindow(size, minimum, current.getSlidingWindowType());
      }
      var replaced = resilience.reconfigure(breaker.getName(), next.build());
      Map<String, Object> after = describe(replaced);
      return AdminResponse.ok(after).withChange("breaker/" + breaker.getName(), before, after);
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("invalid breaker settings: " + e.getMessage());
    }
  }
}
