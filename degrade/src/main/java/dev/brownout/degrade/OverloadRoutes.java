package dev.brownout.degrade;

import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.ProblemException;
import dev.brownout.core.buffer.BoundedBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The admin views of overload protection: concurrency limiters under {@code
 * /api/v1/concurrency-limits} and bounded buffers under {@code /api/v1/buffers}. Read-only: limits
 * move by themselves.
 */
final class OverloadRoutes {
  private OverloadRoutes() {}

  static List<AdminRoute> routes(Resilience resilience) {
    String limits = "/api/v1/concurrency-limits";
    return List.of(
        AdminRoute.get(
            limits,
            "concurrency-limits.list",
            "Every adaptive concurrency limiter: limit, in flight, no-load and recent latency, and"
                + " calls shed by priority.",
            request -> {
              List<Map<String, Object>> all = new ArrayList<>();
              for (String name : resilience.concurrencyLimiterNames()) {
                all.add(resilience.concurrencyLimiter(name).view());
              }
              return AdminResponse.ok(Map.of("limiters", all));
            }),
        AdminRoute.get(
            limits + "/{name}",
            "concurrency-limits.get",
            "One adaptive concurrency limiter.",
            request -> {
              try {
                return AdminResponse.ok(
                    resilience.concurrencyLimiter(request.pathParam("name")).view());
              } catch (IllegalArgumentException e) {
                throw ProblemException.notFound(e.getMessage());
              }
            }),
        AdminRoute.get(
            "/api/v1/buffers",
            "buffers.list",
            "Every registered bounded buffer: policy, capacity, fill and drops.",
            request -> {
              List<Map<String, Object>> all = new ArrayList<>();
              for (BoundedBuffer<?> buffer : resilience.buffers()) {
                all.add(view(buffer));
              }
              return AdminResponse.ok(Map.of("buffers", all));
            }));
  }

  /** What the admin API shows of a buffer. */
  static Map<String, Object> view(BoundedBuffer<?> buffer) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("name", buffer.name());
    view.put("policy", buffer.policy().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    view.put("capacity", buffer.capacity());
    view.put("size", buffer.size());
    view.put("fill", buffer.fill());
    view.put("accepted", buffer.accepted());
    view.put("dropped", buffer.dropped());
    if (buffer.policy() == BoundedBuffer.Policy.BLOCK) {
      view.put("blockTimeoutMillis", buffer.blockTimeout().toNanos() / 1_000_000.0);
    }
    return view;
  }
}
