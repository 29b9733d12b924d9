package dev.brownout.core.admin;

import dev.brownout.core.BrownoutException;

/** Thrown by an admin handler to answer with a {@link Problem}. */
public class ProblemException extends BrownoutException {
  private static final long serialVersionUID = 1L;

  private final transient Problem problem;

  /** Answers with {@code problem}. */
  public ProblemException(Problem problem) {
    super(problem.status() + " " + problem.title() + ": " + problem.detail());
    this.problem = problem;
  }

  /** The problem to answer with. */
  public Problem problem() {
    return problem;
  }

  /** 400: the request is malformed or its content invalid. */
  public static ProblemException badRequest(String detail) {
    return new ProblemException(Problem.of("bad-request", "Bad request", 400, detail));
  }

  /** 404: the thing the request names does not exist. */
  public static ProblemException notFound(String detail) {
    return new ProblemException(Problem.of("not-found", "Not found", 404, detail));
  }

  /** 409: the request conflicts with the current state, such as creating what exists. */
  public static ProblemException conflict(String detail) {
    return new ProblemException(Problem.of("conflict", "Conflict", 409, detail));
  }

  /** 412: the {@code If-Match} precondition failed; the current ETag is in the problem. */
  public static ProblemException preconditionFailed(String detail, String currentETag) {
    return new ProblemException(
        Problem.of("precondition-failed", "Precondition failed", 412, detail)
            .with("currentETag", currentETag));
  }
}
