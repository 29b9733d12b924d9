package dev.brownout.flags;

import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.ProblemException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The segments' admin routes, under {@code /api/v1/segments}: list, get, create, replace and
 * delete, with ETags and {@code If-Match} as for flags. A segment that flags use cannot be deleted.
 */
final class SegmentRoutes {
  private static final String ROOT = Routes.ROOT + "/segments";

  private final Flags flags;

  SegmentRoutes(Flags flags) {
    this.flags = flags;
  }

  List<AdminRoute> routes() {
    return List.of(
        AdminRoute.get(
            ROOT,
            "segments.list",
            "Every segment with its version and the flags that use it.",
            this::list),
        AdminRoute.write(
            "POST", ROOT, "segments.create", "Create a segment from a definition.", this::create),
        AdminRoute.get(
            ROOT + "/{key}",
            "segments.get",
            "One segment's definition; the ETag is its version.",
            this::get),
        AdminRoute.write(
            "PUT",
            ROOT + "/{key}",
            "segments.replace",
            "Replace a segment's definition (If-Match).",
            this::replace),
        AdminRoute.write(
            "DELETE",
            ROOT + "/{key}",
            "segments.delete",
            "Delete a segment no flag uses.",
            this::delete));
  }

  private AdminResponse list(AdminRequest request) {
    return Routes.guarded(
        "segment",
        () -> {
          List<FlagAdmin.Stored> all = flags.admin().list();
          List<Map<String, Object>> segments = new ArrayList<>();
          for (SegmentAdmin.Stored stored : flags.segments().list()) {
            String key = stored.definition().key();
            List<String> users = new ArrayList<>();
            for (FlagAdmin.Stored flag : all) {
              if (SegmentAdmin.referencesSegment(flag.definition(), key)) {
                users.add(flag.definition().key());
              }
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("definition", stored.definition());
            entry.put("version", stored.version());
            entry.put("usedBy", users);
            segments.add(entry);
          }
          return AdminResponse.ok(Map.of("segments", segments));
        });
  }

  private AdminResponse get(AdminRequest request) {
    String key = request.pathParam("key");
    return Routes.guarded(
        "segment",
        () -> {
          SegmentAdmin.Stored stored =
              flags
                  .segments()
                  .get(key)
                  .orElseThrow(() -> ProblemException.notFound("no segment '" + key + "'"));
          return AdminResponse.ok(stored.definition()).withETag(Routes.etag(stored.version()));
        });
  }

  private AdminResponse create(AdminRequest request) {
    SegmentDefinition segment = request.body(SegmentDefinition.class);
    return Routes.guarded(
        "segment",
        () -> {
          SegmentAdmin.Stored stored = flags.segments().create(segment);
          return AdminResponse.created(ROOT + "/" + segment.key(), stored.definition())
              .withETag(Routes.etag(stored.version()))
              .withChange("segment " + segment.key(), null, stored.definition());
        });
  }

  private AdminResponse replace(AdminRequest request) {
    String key = request.pathParam("key");
    SegmentDefinition segment = request.body(SegmentDefinition.class);
    if (!key.equals(segment.key())) {
      throw ProblemException.badRequest(
          "the body defines segment '" + segment.key() + "' but the path names '" + key + "'");
    }
    return Routes.guarded(
        "segment",
        () -> {
          SegmentDefinition before =
              flags.segments().get(key).map(SegmentAdmin.Stored::definition).orElse(null);
          SegmentAdmin.Stored stored = flags.segments().replace(segment, Routes.expected(request));
          return AdminResponse.ok(stored.definition())
              .withETag(Routes.etag(stored.version()))
              .withChange("segment " + key, before, stored.definition());
        });
  }

  private AdminResponse delete(AdminRequest request) {
    String key = request.pathParam("key");
    return Routes.guarded(
        "segment",
        () -> {
          SegmentDefinition before =
              flags
                  .segments()
                  .get(key)
                  .map(SegmentAdmin.Stored::definition)
                  .orElseThrow(() -> ProblemException.notFound("no segment '" + key + "'"));
          flags.segments().delete(key, Routes.expected(request));
          return AdminResponse.noContent().withChange("segment " + key, before, null);
        });
  }
}
