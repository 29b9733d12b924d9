package dev.brownout.flags;

import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.ProblemException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The rollout plans' admin routes, under {@code /api/v1/rollouts}: create, list, get, advance,
 * pause, resume, abort and delete, keyed by flag. ETags are the plan record's version; {@code
 * If-Match} on a move makes it only if the plan has not moved since. Served by the {@link Rollouts}
 * built on these flags; without one, this server runs no plans and the routes say so.
 */
final class RolloutRoutes {
  private static final String ROOT = Routes.ROOT + "/rollouts";

  private final Flags flags;

  RolloutRoutes(Flags flags) {
    this.flags = flags;
  }

  List<AdminRoute> routes() {
    return List.of(
        AdminRoute.get(ROOT, "rollouts.list", "Every rollout plan with its progress.", this::list),
        AdminRoute.write(
            "POST",
            ROOT,
            "rollouts.create",
            "Start a plan: {\"flag\", \"steps\", \"every\", \"guards\"} (?confirm=true for a"
                + " first step of 100%).",
            this::create),
        AdminRoute.get(
            ROOT + "/{flag}",
            "rollouts.get",
            "One plan: definition, step, history, and its guards as this server last checked"
                + " them.",
            this::get),
        AdminRoute.write(
            "POST",
            ROOT + "/{flag}/advance",
            "rollouts.advance",
            "Move a running plan to its next step now, if its guards allow.",
            request -> move(request, "advance")),
        AdminRoute.write(
            "POST",
            ROOT + "/{flag}/pause",
            "rollouts.pause",
            "Pause a running plan; it leaves the flag alone until resumed.",
            request -> move(request, "pause")),
        AdminRoute.write(
            "POST",
            ROOT + "/{flag}/resume",
            "rollouts.resume",
            "Resume a paused or halted plan from its current step and the flag as it is now.",
            request -> move(request, "resume")),
        AdminRoute.write(
            "POST",
            ROOT + "/{flag}/abort",
            "rollouts.abort",
            "Stop a plan for good; the flag stays as it is.",
            request -> move(request, "abort")),
        AdminRoute.write(
            "DELETE",
            ROOT + "/{flag}",
            "rollouts.delete",
            "Delete a completed or aborted plan.",
            this::delete));
  }

  private Rollouts runner() {
    return flags
        .rollouts()
        .orElseThrow(
            () ->
                ProblemException.notFound(
                    "this server runs no rollout plans: build Rollouts.builder(flags) on it to"
                        + " create and steer them here"));
  }

  private AdminResponse list(AdminRequest request) {
    Rollouts rollouts = runner();
    return Routes.guarded(
        "rollout",
        () -> {
          List<Rollouts.View> plans = new ArrayList<>();
          for (RolloutRecord plan : RolloutRecord.list(flags.store())) {
            if (!plan.legacy()) {
              plans.add(rollouts.view(plan, true));
            }
          }
          return AdminResponse.ok(Map.of("plans", plans));
        });
  }

  private AdminResponse get(AdminRequest request) {
    Rollouts rollouts = runner();
    String flag = request.pathParam("flag");
    return Routes.guarded(
        "rollout",
        () -> {
          RolloutRecord plan = rollouts.require(flag, OptionalLong.empty());
          return AdminResponse.ok(rollouts.view(plan, true)).withETag(Routes.etag(plan.version()));
        });
  }

  private AdminResponse create(AdminRequest request) {
    Rollouts rollouts = runner();
    RolloutPlan.Wire wire = request.body(RolloutPlan.Wire.class);
    List<String> problems = RolloutPlan.problems(wire, Routes.confirmed(request));
    if (!problems.isEmpty()) {
      throw Routes.invalid(
          "rollout", "rollout plan for '" + wire.flag() + "' is invalid", problems);
    }
    RolloutPlan plan = RolloutPlan.fromWire(wire, Routes.confirmed(request));
    List<String> here = rollouts.guardProblems(plan);
    if (!here.isEmpty()) {
      throw Routes.invalid(
          "rollout", "rollout plan for '" + wire.flag() + "' cannot run on this server", here);
    }
    String by = request.principal().name();
    return Routes.guarded(
        "rollout",
        () -> {
          Optional<RolloutRecord> existing = RolloutRecord.read(flags.store(), plan.flag());
          if (existing.isPresent() && existing.get().state().active() && !existing.get().legacy()) {
            throw new FlagConflictException(
                FlagConflictException.Kind.EXISTS,
                "a rollout plan for '"
                    + plan.flag()
                    + "' is "
                    + existing.get().state().name().toLowerCase(java.util.Locale.ROOT)
                    + "; abort it first (POST "
                    + ROOT
                    + "/"
                    + plan.flag()
                    + "/abort)");
          }
          RolloutRecord created = rollouts.create(plan, existing, by, false);
          return AdminResponse.created(ROOT + "/" + plan.flag(), rollouts.view(created, true))
              .withETag(Routes.etag(created.version()))
              .withChange(
                  "rollout " + plan.flag(),
                  existing.map(old -> rollouts.view(old, false)).orElse(null),
                  rollouts.view(created, false));
        });
  }

  private AdminResponse move(AdminRequest request, String move) {
    Rollouts rollouts = runner();
    String flag = request.pathParam("flag");
    OptionalLong expected = Routes.expected(request);
    String by = request.principal().name();
    String why = request.reason().orElse(null);
    return Routes.guarded(
        "rollout",
        () -> {
          RolloutRecord before = rollouts.require(flag, expected);
          RolloutRecord after =
              switch (move) {
                case "advance" -> rollouts.advance(flag, expected, by, false);
                case "pause" -> rollouts.pause(flag, expected, why, by, false);
                case "resume" -> rollouts.resume(flag, expected, why, by, false);
                default -> rollouts.abort(flag, expected, why, by, false);
              };
          return AdminResponse.ok(rollouts.view(after, true))
              .withETag(Routes.etag(after.version()))
              .withChange(
                  "rollout " + flag, rollouts.view(before, false), rollouts.view(after, false));
        });
  }

  private AdminResponse delete(AdminRequest request) {
    Rollouts rollouts = runner();
    String flag = request.pathParam("flag");
    OptionalLong expected = Routes.expected(request);
    return Routes.guarded(
        "rollout",
        () -> {
          RolloutRecord before = rollouts.delete(flag, expected, request.principal().name(), false);
          return AdminResponse.noContent()
              .withChange("rollout " + flag, rollouts.view(before, false), null);
        });
  }
}
