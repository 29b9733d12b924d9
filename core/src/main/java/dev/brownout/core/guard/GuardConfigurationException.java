package dev.brownout.core.guard;

import dev.brownout.core.BrownoutException;
import java.util.List;

/**
 * Guard annotations on an interface are invalid; thrown when the proxy is built, listing every
 * problem.
 */
public class GuardConfigurationException extends BrownoutException {
  private static final long serialVersionUID = 1L;

  private final transient List<String> problems;

  /** Creates the exception for one or more problems. */
  public GuardConfigurationException(String subject, List<String> problems) {
    super(message(subject, problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem, one per line, each naming its method. */
  public List<String> problems() {
    return problems;
  }

  private static String message(String subject, List<String> problems) {
    StringBuilder text =
        new StringBuilder("cannot guard ")
            .append(subject)
            .append(": ")
            .append(problems.size())
            .append(problems.size() == 1 ? " problem" : " problems");
    for (String problem : problems) {
      text.append("\n  - ").append(problem);
    }
    return text.toString();
  }
}
