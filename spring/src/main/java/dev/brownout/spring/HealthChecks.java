package dev.brownout.spring;

import dev.brownout.degrade.Mode;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.ReadOnlyReason;
import dev.brownout.degrade.Resilience;
import dev.brownout.state.Namespace;
import dev.brownout.state.StateStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the health indicators report, independent of the Boot line: Boot 3.5 and Boot 4.0 keep their
 * health API in different packages, and each has a thin adapter over these checks.
 *
 * <ul>
 *   <li>store: up while a read of the store answers, down (with the error) when it does not;
 *   <li>read mode: up in both modes, with the mode and its reasons in the details: browse-only is
 *       the application working as designed, not a server to replace;
 *   <li>breakers: up, with each breaker's state, and the open ones listed.
 * </ul>
 */
final class HealthChecks {
  private static final Namespace PROBE = Namespace.small("brownout-health");

  private HealthChecks() {}

  /** One check's outcome. */
  record Outcome(boolean up, Map<String, Object> details) {}

  static Outcome store(StateStore store) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("store", store.kind());
    try {
      store.read(PROBE, "probe");
      return new Outcome(true, details);
    } catch (RuntimeException e) {
      details.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
      return new Outcome(false, details);
    }
  }

  static Outcome readMode(ReadMode readMode) {
    Map<String, Object> details = new LinkedHashMap<>();
    Mode mode = readMode.mode();
    details.put("mode", mode.headerValue());
    List<String> reasons = new ArrayList<>();
    for (ReadOnlyReason reason : readMode.reasons()) {
      reasons.add(reason.id() + ": " + reason.message());
    }
    if (!reasons.isEmpty()) {
      details.put("reasons", reasons);
    }
    return new Outcome(true, details);
  }

  static Outcome breakers(Resilience resilience) {
    Map<String, Object> details = new LinkedHashMap<>();
    List<String> open = new ArrayList<>();
    for (String name : resilience.circuitBreakerNames()) {
      CircuitBreaker.State state = resilience.circuitBreaker(name).getState();
      details.put(name, state.name());
      if (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN) {
        open.add(name);
      }
    }
    details.put("open", open);
    return new Outcome(true, details);
  }
}
