package dev.brownout.examples.drill;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/** The drill's table and checks, as printed. */
final class Report {
  private Report() {}

  static void print(PrintStream out, List<StepTally> tallies, Checks closing) {
    out.println();
    out.printf(
        "%-24s %8s %6s %8s %6s %7s %7s %7s  %s%n",
        "step",
        "requests",
        "ok",
        "degraded",
        "failed",
        "slowest",
        "degrade",
        "recover",
        "designed degradations seen");
    for (StepTally t : tallies) {
      out.printf(
          "%-24s %8d %6d %8d %6d %6.2fs %7s %7s  %s%n",
          t.step.name,
          t.requests(),
          t.ok(),
          t.degraded(),
          t.failed(),
          t.slowestSeconds(),
          seconds(t.timeToDegrade()),
          seconds(t.timeToRecover()),
          seen(t));
    }
    out.println();
    out.println("Checks:");
    boolean passed = true;
    for (StepTally t : tallies) {
      for (StepTally.Check check : t.checks) {
        out.println(
            (check.passed() ? "  ok     " : "  FAILED ") + t.step.name + ": " + check.what());
        passed &= check.passed();
      }
    }
    for (StepTally t : tallies) {
      for (String note : t.notes) {
        out.println("  note   " + t.step.name + ": " + note);
      }
    }
    for (StepTally.Check check : closing.all()) {
      out.println((check.passed() ? "  ok     " : "  FAILED ") + check.what());
      passed &= check.passed();
    }
    for (String detail : closing.details()) {
      out.println("         " + detail);
    }
    for (StepTally t : tallies) {
      List<String> failures = new ArrayList<>(t.failures);
      for (String failure : failures.subList(0, Math.min(5, failures.size()))) {
        out.println("  failure in " + t.step.name + ": " + failure);
      }
    }
    out.println();
    passed &= tallies.stream().allMatch(t -> t.failed() == 0);
    out.println(
        passed
            ? "PASSED: every step behaved as designed, and every booking was charged exactly once."
            : "FAILED: see the checks and failures above.");
  }

  private static String seconds(OptionalDouble value) {
    return value.isPresent() ? String.format("%.2fs", value.getAsDouble()) : "-";
  }

  private static String seen(StepTally t) {
    List<String> parts = new ArrayList<>();
    for (Answer answer : Answer.values()) {
      if (answer != Answer.OK && answer != Answer.UNEXPECTED && t.count(answer) > 0) {
        parts.add(t.count(answer) + " " + answer.label);
      }
    }
    return String.join(", ", parts);
  }
}
