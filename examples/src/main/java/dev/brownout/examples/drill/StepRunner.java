package dev.brownout.examples.drill;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Runs a {@link Step}: injects its fault, drives traffic for at least the step length and until
 * what it must show has been seen (and, for a fault that ends by itself, until it has ended),
 * heals, and drives on until a normal answer comes back and what must hold again holds. Meanwhile
 * it polls the servers every 50 ms for the step's signals. Every outcome becomes a check of the
 * step's tally.
 */
final class StepRunner {
  /** The longest a fault is kept waiting for what it must show. */
  static final Duration FAULT_LIMIT = Duration.ofSeconds(20);

  /** The longest a heal is waited for. */
  static final Duration HEAL_LIMIT = Duration.ofSeconds(20);

  private final PrintStream out;
  private final Duration length;
  private final Function<StepTally, Traffic> traffic;

  StepRunner(PrintStream out, Duration length, Function<StepTally, Traffic> traffic) {
    this.out = out;
    this.length = length;
    this.traffic = traffic;
  }

  StepTally run(Step step) {
    StepTally tally = new StepTally(step);
    out.println("Step " + step.name + ": " + step.breaks);
    step.before.run();
    Set<Step.Watch> seen = new HashSet<>();
    Set<Step.Watch> seenBad = new HashSet<>();
    Map<Step.Watch, String> broken = new LinkedHashMap<>();
    // What must hold after the heal, as it stood when the heal phase ended.
    Set<Step.Watch> held = new HashSet<>();
    long endedAt = Long.MIN_VALUE;
    tally.injectedAt = System.nanoTime();
    step.inject.run();
    boolean expectsDegradation = !step.designed.isEmpty() || step.degradedSignal != null;
    Traffic running = traffic.apply(tally).start();
    try {
      long least = tally.injectedAt + length.toNanos();
      long most = tally.injectedAt + FAULT_LIMIT.toNanos();
      while (true) {
        long now = System.nanoTime();
        if (step.degradedSignal != null && holds(step.degradedSignal)) {
          tally.degraded(now);
        }
        latch(step.mustSee, seen);
        latch(step.mustNotSee, seenBad);
        for (Step.Watch watch : step.mustHoldWhileBroken) {
          if (!broken.containsKey(watch) && !holds(watch.holds())) {
            broken.put(watch, String.format("%.1f s in", (now - tally.injectedAt) / 1e9));
          }
        }
        boolean shown =
            seen.size() == step.mustSee.size()
                && (!expectsDegradation || tally.timeToDegrade().isPresent());
        if (step.endsByItself != null
            && endedAt == Long.MIN_VALUE
            && holds(step.endsByItself.holds())) {
          endedAt = now;
        }
        boolean over = step.endsByItself == null || endedAt != Long.MIN_VALUE;
        if ((now >= least && (shown || step.heal == null) && over) || now >= most) {
          break;
        }
        Traffic.pause(50);
      }
      if (step.endsByItself != null) {
        long ended = endedAt;
        tally.check(
            step.endsByItself.what()
                + (ended == Long.MIN_VALUE
                    ? ""
                    : String.format(" (%.2f s after it began)", (ended - tally.injectedAt) / 1e9)),
            ended != Long.MIN_VALUE);
      }
      if (step.heal != null) {
        tally.healedAt = System.nanoTime();
        step.heal.run();
        long most2 = tally.healedAt + HEAL_LIMIT.toNanos();
        while (true) {
          long now = System.nanoTime();
          if (step.recovery == Step.Recovery.SIGNAL
              && step.normalSignal != null
              && holds(step.normalSignal)) {
            tally.normal(tally.healedAt, now);
          }
          latch(step.mustNotSee, seenBad);
          held.clear();
          for (Step.Watch watch : step.mustHoldAfter) {
            if (holds(watch.holds())) {
              held.add(watch);
            }
          }
          boolean back =
              tally.timeToRecover().isPresent() && held.size() == step.mustHoldAfter.size();
          if (back || now >= most2) {
            break;
          }
          Traffic.pause(50);
        }
      }
    } finally {
      running.close();
    }
    if (expectsDegradation) {
      tally.check(
          "the designed degradation was seen"
              + tally.timeToDegrade().stream()
                  .mapToObj(s -> String.format(" after %.2f s", s))
                  .findFirst()
                  .orElse(""),
          tally.timeToDegrade().isPresent());
    }
    for (Step.Watch watch : step.mustSee) {
      tally.check(watch.what(), seen.contains(watch));
    }
    for (Step.Watch watch : step.mustNotSee) {
      tally.check(watch.what(), !seenBad.contains(watch));
    }
    for (Step.Watch watch : step.mustHoldWhileBroken) {
      tally.check(
          watch.what() + (broken.containsKey(watch) ? " (broken " + broken.get(watch) + ")" : ""),
          !broken.containsKey(watch));
    }
    if (step.heal != null) {
      tally.check(
          "a normal answer came back after the heal"
              + tally.timeToRecover().stream()
                  .mapToObj(s -> String.format(" (%.2f s)", s))
                  .findFirst()
                  .orElse(""),
          tally.timeToRecover().isPresent());
      for (Step.Watch watch : step.mustHoldAfter) {
        tally.check(watch.what(), held.contains(watch));
      }
    }
    step.checks.forEach(check -> check.accept(tally));
    step.notes.forEach(note -> tally.notes.add(note.get()));
    tally.check(
        "every request was answered as designed within "
            + step.bound.toMillis() / 1000.0
            + " s ("
            + tally.failed()
            + " not)",
        tally.failed() == 0);
    return tally;
  }

  private static void latch(Iterable<Step.Watch> watches, Set<Step.Watch> seen) {
    for (Step.Watch watch : watches) {
      if (!seen.contains(watch) && holds(watch.holds())) {
        seen.add(watch);
      }
    }
  }

  private static boolean holds(BooleanSupplier condition) {
    try {
      return condition.getAsBoolean();
    } catch (RuntimeException e) {
      return false;
    }
  }
}
