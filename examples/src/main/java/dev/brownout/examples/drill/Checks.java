package dev.brownout.examples.drill;

import java.util.ArrayList;
import java.util.List;

/** The drill's closing checks: each a statement and whether it held, with details of failures. */
final class Checks {
  private final List<StepTally.Check> checks = new ArrayList<>();
  private final List<String> details = new ArrayList<>();

  void add(String what, boolean passed) {
    checks.add(new StepTally.Check(what, passed));
  }

  void detail(String text) {
    details.add(text);
  }

  List<StepTally.Check> all() {
    return List.copyOf(checks);
  }

  List<String> details() {
    return List.copyOf(details);
  }

  boolean passed() {
    return checks.stream().allMatch(StepTally.Check::passed);
  }
}
