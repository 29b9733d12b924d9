package dev.brownout.core.config;

import dev.brownout.core.BrownoutException;
import java.util.List;

/** The configuration did not validate. It lists every problem found, not just the first. */
public class ConfigurationException extends BrownoutException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblem> problems;

  /** Creates the exception for one or more problems. */
  public ConfigurationException(List<ConfigProblem> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in key order. */
  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String message(List<ConfigProblem> problems) {
    StringBuilder text =
        new StringBuilder()
            .append(problems.size())
            .append(problems.size() == 1 ? " configuration problem:" : " configuration problems:");
    for (ConfigProblem problem : problems) {
      text.append("\n  - ").append(problem);
    }
    return text.toString();
  }
}
