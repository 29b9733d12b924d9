package dev.brownout.degrade;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One fault-injection experiment of a game day, as stored (wire format version 1, JSON): what to
 * inject, where, into which share of units, and until when. Every server that shares the store runs
 * it from {@link #startedAt()} until {@link #endsAt()}, and no later, whatever happens to the
 * server that started it.
 *
 * @param id the experiment's name, such as {@code payments-slow}
 * @param fault {@code latency} (the call waits {@code latencyMillis} first), {@code exception} (the
 *     call fails with {@link InjectedFaultException}, a store call with a {@code StateException})
 *     or {@code connection} (a refused connection: {@code ConnectException}, a store's {@code
 *     StateUnavailableException})
 * @param latencyMillis the latency added, for {@code latency}
 * @param calls guarded methods targeted, as {@code Interface.method}, with {@code *} as a wildcard
 *     ({@code PaymentApi.*}, {@code *})
 * @param stores stores targeted, by the name given to {@link FaultInjection#wrap}; {@code *} for
 *     all
 * @param percentage the share of units (or, for calls with no unit, of calls) affected, 0 to 100
 * @param units units the experiment is limited to; empty for any
 * @param segments segments the experiment is limited to (with {@code units}: a unit in either)
 * @param startedAt when it started
 * @param endsAt when it stops by itself
 * @param startedBy who started it
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record FaultExperiment(
    String id,
    String fault,
    long latencyMillis,
    List<String> calls,
    List<String> stores,
    double percentage,
    List<String> units,
    List<String> segments,
    Instant startedAt,
    Instant endsAt,
    String startedBy) {

  /** The kinds of fault. */
  static final Set<String> FAULTS = Set.of("latency", "exception", "connection");

  /** Copies the lists. */
  public FaultExperiment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(fault, "fault");
    calls = List.copyOf(calls == null ? List.of() : calls);
    stores = List.copyOf(stores == null ? List.of() : stores);
    units = List.copyOf(units == null ? List.of() : units);
    segments = List.copyOf(segments == null ? List.of() : segments);
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(endsAt, "endsAt");
    Objects.requireNonNull(startedBy, "startedBy");
  }

  /** Whether it runs at {@code now}. */
  public boolean activeAt(Instant now) {
    return !now.isBefore(startedAt) && now.isBefore(endsAt);
  }

  /**
   * What an operator sends to start an experiment ({@code PUT /api/v1/faults/{id}}).
   *
   * @param fault latency, exception or connection
   * @param latencyMillis for latency: how long each affected call waits first
   * @param calls guarded methods, {@code Interface.method} with {@code *} wildcards
   * @param stores store names, or {@code *}
   * @param percentage share of units (or calls) affected; default 100
   * @param units units it is limited to
   * @param segments segments it is limited to
   * @param duration how long it runs (ISO-8601, such as {@code PT10M}); required
   */
  public record Request(
      String fault,
      @Nullable Long latencyMillis,
      @Nullable List<String> calls,
      @Nullable List<String> stores,
      @Nullable Double percentage,
      @Nullable List<String> units,
      @Nullable List<String> segments,
      @Nullable Duration duration) {

    /**
     * Every problem with this request, empty if it is valid.
     *
     * @param maxDuration the longest duration allowed
     * @param maxLatency the most latency allowed
     * @param segmentsKnown whether a {@link SegmentMatcher} is configured
     */
    List<String> problems(Duration maxDuration, Duration maxLatency, boolean segmentsKnown) {
      List<String> problems = new ArrayList<>();
      String kind = fault == null ? "" : fault.toLowerCase(Locale.ROOT);
      if (!FAULTS.contains(kind)) {
        problems.add("fault must be latency, exception or connection but was '" + fault + "'");
      }
      if (kind.equals("latency")) {
        if (latencyMillis == null || latencyMillis < 1) {
          problems.add("a latency fault needs latencyMillis of at least 1");
        } else if (latencyMillis > maxLatency.toMillis()) {
          problems.add(
              "latencyMillis must be at most "
                  + maxLatency.toMillis()
                  + " (brownout.degrade.faults.max-latency) but was "
                  + latencyMillis);
        }
      } else if (latencyMillis != null) {
        problems.add("latencyMillis is only for latency faults");
      }
      if ((calls == null || calls.isEmpty()) && (stores == null || stores.isEmpty())) {
        problems.add("name what to target: calls (Interface.method, * wildcards) or stores");
      }
      for (String pattern : concat(calls, stores)) {
        if (pattern == null || pattern.isBlank()) {
          problems.add("a call or store pattern cannot be blank");
        }
      }
      for (String unit : concat(units, null)) {
        if (unit == null || unit.isBlank()) {
          problems.add("a unit cannot be blank");
        }
      }
      for (String segment : concat(segments, null)) {
        if (segment == null || segment.isBlank()) {
          problems.add("a segment cannot be blank");
        }
      }
      if (percentage != null && !(percentage > 0 && percentage <= 100)) {
        problems.add("percentage must be above 0 and at most 100 but was " + percentage);
      }
      if (segments != null && !segments.isEmpty() && !segmentsKnown) {
        problems.add(
            "segments cannot be targeted: no SegmentMatcher is configured"
                + " (FaultInjection.Builder.segments)");
      }
      if (duration == null || duration.isNegative() || duration.isZero()) {
        problems.add("duration is required and must be positive (ISO-8601, such as PT10M)");
      } else if (duration.compareTo(maxDuration) > 0) {
        problems.add(
            "duration must be at most "
                + maxDuration
                + " (brownout.degrade.faults.max-duration) but was "
                + duration);
      }
      return problems;
    }

    private static List<String> concat(@Nullable List<String> a, @Nullable List<String> b) {
      List<String> all = new ArrayList<>();
      if (a != null) {
        all.addAll(a);
      }
      if (b != null) {
        all.addAll(b);
      }
      return all;
    }

    /** The experiment this request starts at {@code now}; the request must be valid. */
    FaultExperiment start(String id, Instant now, String who) {
      Duration runs = Objects.requireNonNull(duration);
      return new FaultExperiment(
          id,
          fault.toLowerCase(Locale.ROOT),
          latencyMillis == null ? 0 : latencyMillis,
          calls,
          stores,
          percentage == null ? 100.0 : percentage,
          units,
          segments,
          now,
          now.plus(runs),
          who);
    }
  }
}
