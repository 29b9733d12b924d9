package dev.brownout.core.internal.servlet;

import dev.brownout.core.admin.Problem;
import dev.brownout.core.json.JsonCodec;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;

/**
 * Writes a {@link Problem} as a servlet response: the problem's status, {@code Retry-After}, no
 * caching, and the {@code application/problem+json} body. For filters that refuse a request
 * politely (browse-only, session store down) rather than let it become a 500.
 */
public final class ProblemResponses {
  private ProblemResponses() {}

  /**
   * Writes {@code problem}, asking the client to retry after {@code retryAfter} (at least one
   * second).
   */
  @SuppressWarnings("exports")
  public static void send(HttpServletResponse out, Problem problem, Duration retryAfter)
      throws IOException {
    out.setHeader("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())));
    send(out, problem);
  }

  /** Writes {@code problem}, for an answer that retrying later would not change. */
  @SuppressWarnings("exports")
  public static void send(HttpServletResponse out, Problem problem) throws IOException {
    byte[] body = JsonCodec.standard().encode(problem);
    out.setStatus(problem.status());
    out.setHeader("Cache-Control", "no-store");
    out.setContentType(Problem.MEDIA_TYPE + "; charset=utf-8");
    out.setContentLength(body.length);
    out.getOutputStream().write(body);
  }
}
