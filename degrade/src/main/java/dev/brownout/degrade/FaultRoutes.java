package dev.brownout.degrade;

import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.Problem;
import dev.brownout.core.admin.ProblemException;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.StateException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The game-day routes under {@code /api/v1/faults}: list and read experiments, start one ({@code
 * PUT}, refused with 409 {@code faults-disabled} unless fault injection is enabled), stop one
 * ({@code DELETE}). Starts and stops are audited by the admin API with the experiment before and
 * after; an experiment that ends by itself is audited as {@code faults.expire} by the server that
 * removes it.
 */
final class FaultRoutes {
  private FaultRoutes() {}

  static List<AdminRoute> routes(FaultInjection faults) {
    String root = "/api/v1/faults";
    return List.of(
        AdminRoute.get(
            root,
            "faults.list",
            "Whether fault injection is enabled, and every experiment with its end and the faults"
                + " this server injected.",
            request -> AdminResponse.ok(list(faults))),
        AdminRoute.get(
            root + "/{id}",
            "faults.get",
            "One experiment; its ETag is the version of its record.",
            request -> {
              FaultInjection.Stored stored = find(faults, request.pathParam("id"));
              return AdminResponse.ok(view(faults, stored.experiment(), stored.version()))
                  .withETag(etag(stored.version()));
            }),
        AdminRoute.write(
            "PUT",
            root + "/{id}",
            "faults.start",
            "Start an experiment on every server: {fault: latency|exception|connection,"
                + " latencyMillis?, calls?, stores?, percentage?, units?, segments?, duration}."
                + " Replacing a running one needs If-Match.",
            request -> start(faults, request)),
        AdminRoute.write(
            "DELETE",
            root + "/{id}",
            "faults.stop",
            "Stop an experiment on every server.",
            request -> stop(faults, request)));
  }

  private static Map<String, Object> list(FaultInjection faults) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("enabled", faults.enabled());
    body.put("maxDuration", faults.maxDuration().toString());
    List<Map<String, Object>> experiments = new ArrayList<>();
    if (faults.enabled()) {
      try {
        for (var record : faultRecords(faults)) {
          experiments.add(view(faults, record.experiment(), record.version()));
        }
      } catch (StateException e) {
        throw unavailable(e);
      }
    }
    body.put("experiments", experiments);
    return body;
  }

  private static List<FaultInjection.Stored> faultRecords(FaultInjection faults) {
    List<FaultInjection.Stored> all = new ArrayList<>(faults.stored());
    all.sort(java.util.Comparator.comparing(s -> s.experiment().id()));
    return all;
  }

  static Map<String, Object> view(FaultInjection faults, FaultExperiment experiment, long version) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", experiment.id());
    view.put("fault", experiment.fault());
    if (experiment.fault().equals("latency")) {
      view.put("latencyMillis", experiment.latencyMillis());
    }
    view.put("calls", experiment.calls());
    view.put("stores", experiment.stores());
    view.put("percentage", experiment.percentage());
    view.put("units", experiment.units());
    view.put("segments", experiment.segments());
    view.put("startedAt", experiment.startedAt().toString());
    view.put("endsAt", experiment.endsAt().toString());
    view.put("startedBy", experiment.startedBy());
    Instant now = faults.now();
    view.put("active", experiment.activeAt(now));
    view.put(
        "remainingSeconds",
        Math.max(0, Duration.between(now, experiment.endsAt()).toMillis()) / 1000.0);
    view.put("injectedHere", faults.injectedHere(experiment.id()));
    view.put("etag", etag(version));
    return view;
  }

  private static String etag(long version) {
    return "\"" + version + "\"";
  }

  private static FaultInjection.Stored find(FaultInjection faults, String id) {
    Optional<FaultInjection.Stored> stored;
    try {
      stored = faults.read(id);
    } catch (StateException e) {
      throw unavailable(e);
    }
    return stored.orElseThrow(() -> ProblemException.notFound("no experiment '" + id + "'"));
  }

  private static AdminResponse start(FaultInjection faults, AdminRequest request) {
    String id = request.pathParam("id");
    if (!faults.enabled()) {
      throw new ProblemException(
          Problem.of(
              "faults-disabled",
              "Fault injection disabled",
              409,
              "fault injection is off on this server, so no experiment was started; set"
                  + " brownout.degrade.faults.enabled=true (on every server that should run"
                  + " experiments) to allow game days"));
    }
    FaultExperiment.Request body = request.body(FaultExperiment.Request.class);
    Optional<FaultInjection.Stored> current;
    try {
      current = faults.read(id);
    } catch (StateException e) {
      throw unavailable(e);
    }
    OptionalLong ifVersion = OptionalLong.empty();
    if (current.isPresent()) {
      if (request.header("If-Match").isEmpty()) {
        throw ProblemException.conflict(
            "experiment '"
                + id
                + "' is running until "
                + current.get().experiment().endsAt()
                + "; stop it first, or send If-Match with its ETag to replace it");
      }
      request.checkIfMatch(etag(current.get().version()));
      ifVersion = OptionalLong.of(current.get().version());
    }
    Object before =
        current.map(c -> (Object) view(faults, c.experiment(), c.version())).orElse(null);
    FaultInjection.Stored started;
    try {
      started = faults.start(id, body, request.principal().name(), ifVersion);
    } catch (PreconditionFailedException e) {
      throw ProblemException.conflict(
          "experiment '" + id + "' was started or changed meanwhile; read it again");
    } catch (StateException e) {
      throw unavailable(e);
    }
    Map<String, Object> after = view(faults, started.experiment(), started.version());
    return AdminResponse.ok(after)
        .withETag(etag(started.version()))
        .withChange("fault/" + id, before, after);
  }

  private static AdminResponse stop(FaultInjection faults, AdminRequest request) {
    String id = request.pathParam("id");
    FaultInjection.Stored current = find(faults, id);
    request.checkIfMatch(etag(current.version()));
    Map<String, Object> before = view(faults, current.experiment(), current.version());
    boolean stopped;
    try {
      stopped = faults.stop(id, OptionalLong.of(current.version()));
    } catch (StateException e) {
      throw unavailable(e);
    }
    if (!stopped) {
      throw ProblemException.conflict(
          "experiment '" + id + "' changed or ended meanwhile; read it again");
    }
    return AdminResponse.noContent().withChange("fault/" + id, before, null);
  }

  private static ProblemException unavailable(StateException e) {
    return new ProblemException(
        Problem.of(
                "store-unavailable",
                "Store unavailable",
                503,
                "the store cannot be reached, so nothing was changed on any server; try again: "
                    + e.getMessage())
            .with("retryable", true));
  }
}
