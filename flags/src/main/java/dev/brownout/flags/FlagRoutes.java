package dev.brownout.flags;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.AuditSink;
import dev.brownout.core.admin.ProblemException;
import dev.brownout.core.json.CodecException;
import dev.brownout.core.json.JsonCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The flags' admin routes, under {@code /api/v1/flags}. ETags are the stored version; a write with
 * {@code If-Match} only happens if the flag is still at that version, and a refused one answers 412
 * with the current ETag. Every change is audited by the admin API with the definition before and
 * after.
 */
final class FlagRoutes {
  private static final String ROOT = Routes.ROOT + "/flags";

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

  /**
   * A flag in the list.
   *
   * @param definition the definition
   * @param version the stored version
   * @param lastEvaluated when this server last evaluated it, if it has
   * @param rollout the state of its rollout plan, if it has one
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Listed(
      FlagDefinition definition,
      long version,
      @Nullable Instant lastEvaluated,
      Rollouts.@Nullable State rollout) {}

  /**
   * An evaluation explained.
   *
   * @param flag the flag
   * @param unit the unit evaluated for
   * @param variant the variant served
   * @param value its value
   * @param reason why
   * @param rule the rule that matched, if any
   * @param rolloutBucket the unit's bucket, 0 to 99 999, under the rollout that decided (a rule's
   *     or the fallthrough's), if a rollout decided and the unit has a value to bucket by
   * @param bucketBy the attribute that rollout buckets by
   * @param rolloutPercentage that rollout's percentage: the unit is in when its bucket is below
   *     this times 1000
   * @param variantBucket the unit's bucket for the choice among the rollout's variants
   * @param version the flag's stored version
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Explanation(
      String flag,
      String unit,
      @Nullable String variant,
      @Nullable Object value,
      String reason,
      @Nullable String rule,
      @Nullable Integer rolloutBucket,
      @Nullable String bucketBy,
      @Nullable Double rolloutPercentage,
      @Nullable Integer variantBucket,
      long version) {}

  /**
   * A unit of a dry run's sample.
   *
   * @param key the unit's key
   * @param attributes its attributes
   */
  record Unit(String key, @Nullable Map<String, String> attributes) {}

  private final Flags flags;

  FlagRoutes(Flags flags) {
    this.flags = flags;
  }

  List<AdminRoute> routes() {
    // The fixed paths (_export, _import, _stale) come before {key}: routes match in order, and no
    // flag key can start with '_'.
    return List.of(
        AdminRoute.get(
            ROOT,
            "flags.list",
            "Every flag with its version, when this server last evaluated it, and its rollout.",
            this::list),
        AdminRoute.write(
            "POST", ROOT, "flags.create", "Create a flag from a definition.", this::create),
        AdminRoute.get(
            ROOT + "/_export",
            "flags.export",
            "Every flag and segment, in the bootstrap file's format.",
            this::export),
        AdminRoute.write(
            "POST",
            ROOT + "/_import",
            "flags.import",
            "Create or replace every flag and segment of a bundle, checked whole first"
                + " (?confirm=true for 0 to 100%).",
            this::importAll),
        AdminRoute.get(
            ROOT + "/_stale",
            "flags.stale",
            "Flags this server has not evaluated for ?days=30 days: candidates for clean-up.",
            this::stale),
        AdminRoute.get(
            ROOT + "/{key}",
            "flags.get",
            "One flag's definition; the ETag is its version.",
            this::get),
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
        AdminRoute.get(
            ROOT + "/{key}/history",
            "flags.history",
            "The flag's changes and its rollout plan's moves, newest first (?limit=50).",
            this::history),
        AdminRoute.get(
            ROOT + "/{key}/dry-run",
            "flags.dry-run",
            "Who would gain or lose the feature: ?percentage=50, ?enabled=false or"
                + " ?definition=<json>, for ?unit=… (may repeat), ?units=<json> or ?sample=10000.",
            this::dryRun),
        AdminRoute.write(
            "DELETE",
            ROOT + "/{key}",
            "flags.delete",
            "Delete a flag no other flag requires and no rollout plan is running.",
            this::delete));
  }

  private AdminResponse list(AdminRequest request) {
    return Routes.guarded(
        "flag",
        () -> {
          Map<String, Rollouts.State> plans = new HashMap<>();
          for (RolloutRecord plan : RolloutRecord.list(flags.store())) {
            if (!plan.legacy()) {
              plans.put(plan.flag(), plan.state());
            }
          }
          List<Listed> listed = new ArrayList<>();
          for (FlagAdmin.Stored stored : flags.admin().list()) {
            String key = stored.definition().key();
            listed.add(
                new Listed(
                    stored.definition(),
                    stored.version(),
                    flags.lastEvaluated(key).orElse(null),
                    plans.get(key)));
          }
          return AdminResponse.ok(Map.of("flags", listed));
        });
  }

  private AdminResponse get(AdminRequest request) {
    String key = request.pathParam("key");
    return Routes.guarded(
        "flag",
        () -> {
          FlagAdmin.Stored stored =
              flags
                  .admin()
                  .get(key)
                  .orElseThrow(() -> ProblemException.notFound("no flag '" + key + "'"));
          return AdminResponse.ok(stored.definition()).withETag(Routes.etag(stored.version()));
        });
  }

  private AdminResponse create(AdminRequest request) {
    FlagDefinition definition = request.body(FlagDefinition.class);
    return Routes.guarded(
        "flag",
        () -> {
          FlagAdmin.Stored stored = flags.admin().create(definition);
          return AdminResponse.created(ROOT + "/" + definition.key(), stored.definition())
              .withETag(Routes.etag(stored.version()))
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
    return Routes.guarded(
        "flag",
        () -> {
          FlagDefinition before =
              flags.admin().get(key).map(FlagAdmin.Stored::definition).orElse(null);
          FlagAdmin.Stored stored =
              flags
                  .admin()
                  .replace(definition, Routes.expected(request), Routes.confirmed(request));
          return AdminResponse.ok(stored.definition())
              .withETag(Routes.etag(stored.version()))
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
    return Routes.guarded(
        "flag",
        () -> {
          FlagDefinition[] before = new FlagDefinition[1];
          FlagAdmin.Stored stored =
              flags
                  .admin()
                  .update(
                      key,
                      definition -> {
                        before[0] = definition;
                        return patched(definition, patch);
                      },
                      Routes.expected(request),
                      Routes.confirmed(request));
          return AdminResponse.ok(stored.definition())
              .withETag(Routes.etag(stored.version()))
              .withChange("flag " + key, before[0], stored.definition());
        });
  }

  private static FlagDefinition patched(FlagDefinition definition, FlagPatch patch) {
    FlagDefinition changed = definition;
    if (patch.enabled() != null) {
      changed = changed.withEnabled(patch.enabled());
    }
    if (patch.percentage() != null) {
      changed = changed.withRolloutPercentage(patch.percentage());
    }
    if (patch.targets() != null) {
      changed = changed.withTargets(patch.targets());
    }
    return changed;
  }

  private AdminResponse evaluate(AdminRequest request) {
    String key = request.pathParam("key");
    // The flag first: asking about one that does not exist must not evaluate it (and count it).
    FlagSnapshot snapshot = flags.snapshot();
    CompiledFlag compiled = snapshot.compiled(key);
    if (compiled == null) {
      throw ProblemException.notFound("no flag '" + key + "'");
    }
    String unit = request.query("unit").orElse("");
    FlagContext.Builder builder = FlagContext.builder(unit);
    for (String attribute : request.queryAll("attr")) {
      int colon = attribute.indexOf(':');
      if (colon < 1) {
        throw ProblemException.badRequest(
            "attr must be name:value, such as plan:beta, but was '" + attribute + "'");
      }
      builder.attribute(attribute.substring(0, colon), attribute.substring(colon + 1));
    }
    FlagContext context = builder.build();
    CompiledFlag.Decision decision = compiled.explain(context, snapshot.lookup());
    FlagEvaluation result = compiled.outcome(decision.result());
    Integer bucket = null;
    Integer variantBucket = null;
    String bucketBy = null;
    Double percentage = null;
    CompiledServe rollout = decision.rollout();
    if (rollout != null) {
      bucketBy = rollout.bucketBy();
      percentage = rollout.threshold() / (Bucketing.BUCKETS / 100.0);
      int b = rollout.rolloutBucket(context);
      bucket = b < 0 ? null : b;
      int v = rollout.variantBucket(context);
      variantBucket = v < 0 || rollout.in().length < 2 ? null : v;
    }
    return AdminResponse.ok(
        new Explanation(
            key,
            unit,
            result.variant(),
            result.value(),
            result.reason().name(),
            result.ruleId(),
            bucket,
            bucketBy,
            percentage,
            variantBucket,
            compiled.version()));
  }

  private AdminResponse history(AdminRequest request) {
    String key = request.pathParam("key");
    int limit = request.queryInt("limit", 50, 1, 1000);
    AuditSink sink =
        flags
            .auditSink()
            .filter(AuditSink::keepsRecords)
            .orElseThrow(
                () ->
                    ProblemException.notFound(
                        "flag history is read from an audit trail that keeps records, and these"
                            + " flags were built without one: give Flags.builder(store).auditSink"
                            + " the admin API's sink (a StateAuditSink keeps it in the store)"));
    List<AuditRecord> records = new ArrayList<>();
    String flagTarget = "flag " + key;
    String planTarget = "rollout " + key;
    for (AuditRecord record : sink.recent(Math.max(1000, limit * 20))) {
      if (record.target().equals(flagTarget) || record.target().equals(planTarget)) {
        records.add(record);
        if (records.size() == limit) {
          break;
        }
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("flag", key);
    body.put("records", records);
    return AdminResponse.ok(body);
  }

  private AdminResponse dryRun(AdminRequest request) {
    String key = request.pathParam("key");
    FlagSnapshot snapshot = flags.snapshot();
    CompiledFlag current = snapshot.compiled(key);
    if (current == null && request.query("definition").isEmpty()) {
      throw ProblemException.notFound(
          "no flag '" + key + "'; to preview a new flag, give its whole ?definition=<json>");
    }
    FlagDefinition proposed = proposal(request, key, current == null ? null : current.definition());
    List<FlagContext> units = units(request);
    return Routes.guarded(
        "flag",
        () -> {
          CompiledFlag compiled = flags.admin().validate(proposed, Map.of(), Map.of());
          return AdminResponse.ok(DryRun.run(snapshot, current, compiled, units));
        });
  }

  private static FlagDefinition proposal(
      AdminRequest request, String key, @Nullable FlagDefinition current) {
    Optional<String> json = request.query("definition");
    Optional<String> enabled = request.query("enabled");
    Optional<String> percentage = request.query("percentage");
    if (json.isPresent()) {
      if (enabled.isPresent() || percentage.isPresent()) {
        throw ProblemException.badRequest(
            "give either definition=<json> or enabled/percentage, not both");
      }
      FlagDefinition proposed;
      try {
        proposed = JsonCodec.standard().decode(json.get(), FlagDefinition.class);
      } catch (CodecException e) {
        throw ProblemException.badRequest("definition: " + e.getMessage());
      }
      if (proposed == null || !key.equals(proposed.key())) {
        throw ProblemException.badRequest(
            "definition must define flag '"
                + key
                + "' but defines "
                + (proposed == null ? "nothing" : "'" + proposed.key() + "'"));
      }
      return proposed;
    }
    if (enabled.isEmpty() && percentage.isEmpty()) {
      throw ProblemException.badRequest(
          "a dry run needs a proposed change: ?percentage=50, ?enabled=false or"
              + " ?definition=<the whole definition as JSON>");
    }
    FlagDefinition proposed = java.util.Objects.requireNonNull(current);
    if (enabled.isPresent()) {
      if (!enabled.get().equals("true") && !enabled.get().equals("false")) {
        throw ProblemException.badRequest(
            "enabled must be true or false but was '" + enabled.get() + "'");
      }
      proposed = proposed.withEnabled(Boolean.parseBoolean(enabled.get()));
    }
    if (percentage.isPresent()) {
      Double value = Operator.number(percentage.get());
      if (value == null || value < 0 || value > 100) {
        throw ProblemException.badRequest(
            "percentage must be a number from 0 to 100 but was '" + percentage.get() + "'");
      }
      proposed = proposed.withRolloutPercentage(value);
    }
    return proposed;
  }

  private static List<FlagContext> units(AdminRequest request) {
    List<FlagContext> units = new ArrayList<>();
    for (String unit : request.queryAll("unit")) {
      if (unit.isEmpty()) {
        throw ProblemException.badRequest("unit must not be empty");
      }
      units.add(FlagContext.of(unit));
    }
    Optional<String> json = request.query("units");
    if (json.isPresent()) {
      Unit[] given;
      try {
        given = JsonCodec.standard().decode(json.get(), Unit[].class);
      } catch (CodecException e) {
        throw ProblemException.badRequest(
            "units must be a JSON array of {\"key\": …, \"attributes\": {…}}: " + e.getMessage());
      }
      if (given == null) {
        throw ProblemException.badRequest("units must be a JSON array, not null");
      }
      for (Unit unit : given) {
        if (unit == null || unit.key() == null) {
          throw ProblemException.badRequest("units: every unit needs a key");
        }
        FlagContext.Builder context = FlagContext.builder(unit.key());
        if (unit.attributes() != null) {
          unit.attributes()
              .forEach(
                  (name, value) -> {
                    if (name == null || value == null) {
                      throw ProblemException.badRequest(
                          "units: '" + unit.key() + "' has an attribute without a name or value");
                    }
                    context.attribute(name, value);
                  });
        }
        units.add(context.build());
      }
    }
    int sample = request.queryInt("sample", units.isEmpty() ? 10_000 : 0, 0, DryRun.MAX_UNITS);
    if (units.size() + sample > DryRun.MAX_UNITS) {
      throw ProblemException.badRequest(
          "a dry run evaluates at most " + DryRun.MAX_UNITS + " units");
    }
    if (units.isEmpty() && sample == 0) {
      throw ProblemException.badRequest("a dry run needs units: ?unit=…, ?units=… or ?sample=N");
    }
    units.addAll(DryRun.sample(sample));
    return units;
  }

  private AdminResponse export(AdminRequest request) {
    return Routes.guarded("flag", () -> AdminResponse.ok(flags.admin().export()));
  }

  private AdminResponse importAll(AdminRequest request) {
    FlagBundle bundle;
    byte[] body = request.body();
    String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
    if (text.startsWith("[")) {
      bundle = new FlagBundle(List.of(request.body(FlagDefinition[].class)), null);
    } else {
      bundle = request.body(FlagBundle.class);
    }
    FlagBundle imported = bundle;
    return Routes.guarded(
        "flag",
        () -> {
          FlagBundle before = flags.admin().export();
          FlagAdmin.ImportResult result =
              flags.admin().importAll(imported, Routes.confirmed(request));
          return AdminResponse.ok(result).withChange("flags import", before, imported);
        });
  }

  private AdminResponse stale(AdminRequest request) {
    int days = request.queryInt("days", 30, 0, 3650);
    List<Map<String, Object>> list = new ArrayList<>();
    for (String key : flags.staleFlags(Duration.ofDays(days))) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("key", key);
      entry.put("lastEvaluated", flags.lastEvaluated(key).orElse(null));
      list.add(entry);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("days", days);
    body.put("observedSince", flags.observedSince());
    body.put("flags", list);
    return AdminResponse.ok(body);
  }

  private AdminResponse delete(AdminRequest request) {
    String key = request.pathParam("key");
    return Routes.guarded(
        "flag",
        () -> {
          FlagDefinition before =
              flags
                  .admin()
                  .get(key)
                  .map(FlagAdmin.Stored::definition)
                  .orElseThrow(() -> ProblemException.notFound("no flag '" + key + "'"));
          flags.admin().delete(key, Routes.expected(request));
          return AdminResponse.noContent().withChange("flag " + key, before, null);
        });
  }
}
