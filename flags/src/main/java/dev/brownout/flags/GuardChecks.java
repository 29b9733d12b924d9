package dev.brownout.flags;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One server's checks of plans' guards: declared guards (a breaker through the application's {@link
 * BreakerStates}, a meter in the registry, counted over a window from samples taken at each check)
 * and guards written in code. Thread-safe.
 */
final class GuardChecks {
  private final @Nullable BreakerStates breakers;
  private final MeterRegistry registry;
  // Samples for meter guards, by plan run and guard: a plan started again starts counting afresh.
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  GuardChecks(@Nullable BreakerStates breakers, MeterRegistry registry) {
    this.breakers = breakers;
    this.registry = registry;
  }

  /** Problems that make a declared guard unusable on this server; checked when a plan is made. */
  List<String> problems(List<GuardDefinition> guards) {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < guards.size(); i++) {
      GuardDefinition guard = guards.get(i);
      if (guard.breaker() == null) {
        continue;
      }
      if (breakers == null) {
        problems.add(
            "guards["
                + i
                + "].breaker: this server cannot look breakers up; build its Rollouts with"
                + " .breakers(...)");
      } else if (breakers.open(guard.breaker()).isEmpty()) {
        problems.add(
            "guards["
                + i
                + "].breaker: there is no breaker '"
                + guard.breaker()
                + "'; there are "
                + new java.util.TreeSet<>(breakers.names()));
      }
    }
    return problems;
  }

  /** Checks every guard of {@code plan} now: declared ones, then those in this server's code. */
  List<Rollouts.GuardState> check(RolloutRecord plan, List<RolloutGuard> local, long now) {
    List<Rollouts.GuardState> states = new ArrayList<>();
    Instant at = Instant.ofEpochMilli(now);
    List<GuardDefinition> declared =
        plan.plan() == null || plan.plan().guards() == null ? List.of() : plan.plan().guards();
    for (int i = 0; i < declared.size(); i++) {
      GuardDefinition guard = declared.get(i);
      String key = plan.flag() + "|" + plan.startedAt() + "|" + i;
      states.add(check(guard, key, now, at));
    }
    for (RolloutGuard guard : local) {
      Optional<String> reason;
      try {
        reason = guard.tripped();
      } catch (RuntimeException e) {
        reason = Optional.of("a guard failed to answer: " + e);
      }
      states.add(
          new Rollouts.GuardState(
              guard.description(), "code", reason.isPresent(), reason.orElse("ok"), at));
    }
    return states;
  }

  /** Forgets the samples of plans no longer running here. */
  void forget(String flag) {
    windows.keySet().removeIf(key -> key.startsWith(flag + "|"));
  }

  private Rollouts.GuardState check(GuardDefinition guard, String key, long now, Instant at) {
    String description = guard.describe();
    if (guard.breaker() != null) {
      if (breakers == null) {
        return new Rollouts.GuardState(
            description,
            "breaker",
            true,
            "this server cannot look breakers up (Rollouts.builder(flags).breakers(...)), so it"
                + " halts the plan rather than ignore the guard",
            at);
      }
      Optional<Boolean> open;
      try {
        open = breakers.open(guard.breaker());
      } catch (RuntimeException e) {
        return new Rollouts.GuardState(
            description, "breaker", true, "the breaker lookup failed: " + e, at);
      }
      if (open.isEmpty()) {
        return new Rollouts.GuardState(
            description,
            "breaker",
            true,
            "this server has no breaker '" + guard.breaker() + "', so it cannot check the guard",
            at);
      }
      return new Rollouts.GuardState(
          description,
          "breaker",
          open.get(),
          open.get() ? "breaker '" + guard.breaker() + "' is open" : "closed",
          at);
    }
    Reading value = read(guard.meter(), guard.tags());
    Reading per = guard.per() == null ? null : read(guard.per(), guard.perTags());
    Window window = windows.computeIfAbsent(key, k -> new Window());
    double[] counted =
        window.add(
            now,
            guard.windowDuration().toMillis(),
            value.value,
            per == null ? 0 : per.value,
            value.level);
    double amount = counted[0];
    double above = guard.above() == null ? 0 : guard.above();
    if (!value.found) {
      return new Rollouts.GuardState(
          description,
          "meter",
          false,
          "no meter '" + guard.meter() + "' is registered on this server yet: nothing counted",
          at);
    }
    if (per == null) {
      boolean tripped = amount > above;
      return new Rollouts.GuardState(
          description,
          "meter",
          tripped,
          String.format(
              Locale.ROOT,
              "%s %s %s over %s%s",
              guard.meter(),
              value.level ? "is" : "counted",
              number(amount),
              guard.window(),
              tripped ? ", above " + number(above) : ""),
          at);
    }
    double events = counted[1];
    long minimum = guard.minimumEvents() == null ? 1 : guard.minimumEvents();
    if (events < minimum) {
      return new Rollouts.GuardState(
          description,
          "meter",
          false,
          String.format(
              Locale.ROOT,
              "%s of the %d %s events needed over %s",
              number(events),
              minimum,
              guard.per(),
              guard.window()),
          at);
    }
    double ratio = amount / events;
    boolean tripped = ratio > above;
    return new Rollouts.GuardState(
        description,
        "meter",
        tripped,
        String.format(
            Locale.ROOT,
            "%s / %s = %s over %s (%s events)%s",
            guard.meter(),
            guard.per(),
            number(ratio),
            guard.window(),
            number(events),
            tripped ? ", above " + number(above) : ""),
        at);
  }

  private static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%.4g", value);
  }

  /** A meter's value: a count, or a level for gauges. */
  private record Reading(double value, boolean found, boolean level) {}

  private Reading read(String name, @Nullable Map<String, String> tags) {
    List<Tag> wanted = new ArrayList<>();
    if (tags != null) {
      tags.forEach((k, v) -> wanted.add(Tag.of(k, v)));
    }
    Collection<Meter> meters = registry.find(name).tags(wanted).meters();
    double total = 0;
    boolean level = !meters.isEmpty();
    for (Meter meter : meters) {
      if (meter instanceof Counter counter) {
        total += counter.count();
        level = false;
      } else if (meter instanceof FunctionCounter counter) {
        total += counter.count();
        level = false;
      } else if (meter instanceof Timer timer) {
        total += timer.count();
        level = false;
      } else if (meter instanceof FunctionTimer timer) {
        total += timer.count();
        level = false;
      } else if (meter instanceof DistributionSummary summary) {
        total += summary.count();
        level = false;
      } else if (meter instanceof LongTaskTimer timer) {
        total += timer.activeTasks();
      } else if (meter instanceof TimeGauge gauge) {
        total += gauge.value(TimeUnit.SECONDS);
      } else if (meter instanceof Gauge gauge) {
        total += gauge.value();
      } else {
        for (Measurement measurement : meter.measure()) {
          total += measurement.getValue();
          break;
        }
      }
    }
    return new Reading(Double.isNaN(total) ? 0 : total, !meters.isEmpty(), level);
  }

  /** Samples of a meter (and its divisor) over a window. */
  private static final class Window {
    private final ArrayDeque<double[]> samples = new ArrayDeque<>();

    /**
     * Adds a sample and returns what was counted over the window: {@code [value, per]}, each the
     * increase since the window's start (a level's latest value).
     */
    synchronized double[] add(
        long now, long windowMillis, double value, double per, boolean level) {
      samples.addLast(new double[] {now, value, per});
      // Keep one sample at or before the window's start, as its baseline.
      while (samples.size() > 2) {
        Iterator<double[]> it = samples.iterator();
        it.next();
        if (it.next()[0] <= now - windowMillis) {
          samples.removeFirst();
        } else {
          break;
        }
      }
      double[] first = samples.peekFirst();
      if (level) {
        return new double[] {value, Math.max(0, per - first[2])};
      }
      return new double[] {Math.max(0, value - first[1]), Math.max(0, per - first[2])};
    }
  }
}
