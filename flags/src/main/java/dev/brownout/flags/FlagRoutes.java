package dev.brownout.flags;

import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.Problem;
import dev.brownout.core.admin.ProblemException;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The flags' admin routes, under {@code /api/v1/flags}. ETags are the stored version; a write with
 * {@code If-Match} only happens if the flag is still at that version. Every change is audited by
 * the admin API with the definition before and after.
 */
final class FlagRoutes {
  private static final String ROOT = "/api/v1/flags";

  /**
   * A partial change, for {@code PATCH}: only the fields given change.
   *
   * @param enabled false kills the flag for everyone, true releases the kill switch
   * @param percentage the fallthrough rollout's percentage
   * @param targets the targets, replaced whole
   */
  record FlagPatch(
      @Nullable Boolean enabled,
      @Nullable Double percentage,
      @Nullable List<FlagDefinition.Target> targets) {}

  private final Flags flags;

  FlagRoutes(Flags flags) {
    this.flags = flags;
  }

  List<AdminRoute> routes() {
    return List.of(
        AdminRoute.get(ROOT, "flags.list", "Every flag with its version.", this::list),
        AdminRoute.get(
            ROOT + "/{key}",
            "flags.get",
            "One flag's definition; the ETag is its version.",
            this::get),
        AdminRoute.write(
            "POST", ROOT, "flags.create", "Create a flag from a definition.", this::create),
        AdminRoute.write(
            "PUT",
            ROOT + "/{key}",
            "flags.replace",
            "Replace a flag's definition (If-Match, ?confirm=true for 0 to 100%).",
            this::replace),
        AdminRoute.write(
            "PATCH",
            ROOT + "/{key}",
            "flags.patch",
            "Change enabled (kill switch), the rollout percentage or the targets.",
            this::patch),
        AdminRoute.get(
            ROOT + "/{key}/evaluate",
            "flags.evaluate",
            "Why a unit gets what it gets: ?unit=alice&attr=plan:beta (attr may repeat).",
            this::evaluate),
        AdminRoute.write(
            "DELETE",
            ROOT + "/{key}",
            "flags.delete",
            "Delete a flag no other flag requires.",
            this::delete));
  }

  private AdminResponse list(AdminRequest request) {
    return guarded(() -> AdminResponse.ok(Map.of("flags", flags.admin().list())));
  }

  private AdminResponse get(AdminRequest request) {
    String key = request.pathParam("key");
    return guarded(
        () -> {
          FlagAdmin.Stored stored =
              flags
                  .admin()
                  .get(key)
                  .orElseThrow(() -> ProblemException.notFound("no flag '" + key + "'"));
          return AdminResponse.ok(stored.definition()).withETag(Long.toString(stored.version()));
        });
  }

  private AdminResponse create(AdminRequest request) {
    FlagDefinition definition = request.body(FlagDefinition.class);
    return guarded(
        () -> {
          FlagAdmin.Stored stored = flags.admin().create(definition);
          return AdminResponse.created(ROOT + "/" + definition.key(), stored.definition())
              .withETag(Long.toString(stored.version()))
              .withChange("flag " + definition.key(), null, stored.definition());
        });
  }

  private AdminResponse replace(AdminRequest request) {
    String key = request.pathParam("key");
    FlagDefinition definition = request.body(FlagDefinition.class);
    if (!key.equals(definition.key())) {
      throw ProblemException.badRequest(
          "the body defines flag '" + definition.key() + "' but the path names '" + key + "'");
    }
    return guarded(
        () -> {
          FlagDefinition before =
              flags.admin().get(key).map(FlagAdmin.Stored::definition).orElse(null);
          FlagAdmin.Stored stored =
              flags.admin().replace(definition, expected(request), confirmed(request));
          return AdminResponse.ok(stored.definition())
              .withETag(Long.toString(stored.version()))
              .withChange("flag " + key, before, stored.definition());
        });
  }

  private AdminResponse patch(AdminRequest request) {
    String key = request.pathParam("key");
    FlagPatch patch = request.body(FlagPatch.class);
    if (patch.enabled() == null && patch.percentage() == null && patch.targets() == null) {
      throw ProblemException.badRequest(
          "a patch must set at least one of enabled, percentage, targets");
    }
    return guarded(
        () -> {
          FlagDefinition[] before = new FlagDefinition[1];
          FlagAdmin.Stored stored =
              flags
                  .admin()
                  .update(
                      key,
                      definition -> {
                        before[0] = definition;
                        FlagDefinition changed = definition;
                        if (patch.enabled() != null) {
                          changed = changed.withEnabled(patch.enabled());
                        }
                        if (patch.percentage() != null) {
                          changed =
                              changed.withFallthrough(withPercentage(changed, patch.percentage()));
                        }
                        if (patch.targets() != null) {
                          changed = changed.withTargets(patch.targets());
                        }
                        return changed;
                      },
                      expected(request),
                      confirmed(request));
          return AdminResponse.ok(stored.definition())
              .withETag(Long.toString(stored.version()))
              .withChange("flag " + key, before[0], stored.definition());
        });
  }

  private static FlagDefinition.Serve withPercentage(FlagDefinition definition, double percentage) {
    FlagDefinition.Serve serve = definition.fallthrough();
    if (serve != null && serve.rollout() != null) {
      FlagDefinition.Rollout r = serve.rollout();
      return new FlagDefinition.Serve(
          null,
          new FlagDefinition.Rollout(
              percentage, r.variants(), r.otherwise(), r.bucketBy(), r.salt()));
    }
    return FlagDefinition.Serve.rollout(percentage);
  }

  /**
   * An evaluation explained.
   *
   * @param flag the flag
   * @param unit the unit evaluated for
   * @param variant the variant served, or null for an unknown flag
   * @param value its value
   * @param reason why
   * @param rule the rule that matched, if any
   * @param rolloutBucket the unit's bucket under the fallthrough rollout's salt, 0 to 99 999, if
   *     the fallthrough is a rollout
   */
  record Explanation(
      String flag,
      String unit,
      @Nullable String variant,
      @Nullable Object value,
      String reason,
      @Nullable String rule,
      @Nullable Integer rolloutBucket) {}

  private AdminResponse evaluate(AdminRequest request) {
    String key = request.pathParam("key");
    String unit = request.query("unit").orElse("");
    FlagContext.Builder context = FlagContext.builder(unit);
    for (String attribute : request.queryAll("attr")) {
      int colon = attribute.indexOf(':');
      if (colon < 1) {
        throw ProblemException.badRequest(
            "attr must be name:value, such as plan:beta, but was '" + attribute + "'");
      }
      context.attribute(attribute.substring(0, colon), attribute.substring(colon + 1));
    }
    FlagEvaluation result = flags.evaluate(key, context.build());
    if (result.reason() == FlagEvaluation.Reason.FLAG_NOT_FOUND) {
      throw ProblemException.notFound("no flag '" + key + "'");
    }
    Integer bucket = null;
    FlagDefinition definition = flags.snapshot().definition(key).orElse(null);
    if (definition != null
        && definition.fallthrough() != null
        && definition.fallthrough().rollout() != null
        && !unit.isEmpty()) {
      String salt = definition.fallthrough().rollout().salt();
      bucket = Bucketing.bucket(salt == null ? key : salt, unit, Bucketing.ROLLOUT_SEED);
    }
    return AdminResponse.ok(
        new Explanation(
            key,
            unit,
            result.variant(),
            result.value(),
            result.reason().name(),
            result.ruleId(),
            bucket));
  }

  private AdminResponse delete(AdminRequest request) {
    String key = request.pathParam("key");
    return guarded(
        () -> {
          FlagDefinition before =
              flags
                  .admin()
                  .get(key)
                  .map(FlagAdmin.Stored::definition)
                  .orElseThrow(() -> ProblemException.notFound("no flag '" + key + "'"));
          flags.admin().delete(key, expected(request));
          return AdminResponse.noContent().withChange("flag " + key, before, null);
        });
  }

  private static OptionalLong expected(AdminRequest request) {
    String ifMatch = request.header("If-Match").map(String::strip).orElse("*");
    if (ifMatch.equals("*")) {
      return OptionalLong.empty();
    }
    String tag = ifMatch.startsWith("W/") ? ifMatch.substring(2) : ifMatch;
    try {
      return OptionalLong.of(Long.parseLong(tag.replace("\"", "")));
    } catch (NumberFormatException e) {
      throw ProblemException.badRequest(
          "If-Match must be an ETag this API gave out, such as \"1763000000000001\", but was "
              + ifMatch);
    }
  }

  private static boolean confirmed(AdminRequest request) {
    return request.query("confirm").map("true"::equalsIgnoreCase).orElse(false);
  }

  private static AdminResponse guarded(Supplier<AdminResponse> action) {
    try {
      return action.get();
    } catch (InvalidFlagException e) {
      throw new ProblemException(
          Problem.of("invalid-flag", "Invalid flag", 400, e.getMessage())
              .with("problems", e.problems()));
    } catch (FlagConflictException e) {
      throw new ProblemException(
          switch (e.kind()) {
            case NOT_FOUND -> Problem.of("not-found", "Not found", 404, e.getMessage());
            case STALE ->
                Problem.of("precondition-failed", "Precondition failed", 412, e.getMessage());
            case EXISTS -> Problem.of("flag-exists", "Flag exists", 409, e.getMessage());
            case IN_USE -> Problem.of("flag-in-use", "Flag in use", 409, e.getMessage());
            case CONFIRMATION_REQUIRED ->
                Problem.of("confirmation-required", "Confirmation required", 409, e.getMessage());
          });
    }
  }
}
