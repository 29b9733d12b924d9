package dev.brownout.degrade;

import dev.brownout.core.admin.Problem;
import dev.brownout.core.internal.servlet.ProblemResponses;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The HTTP gate of browse-only mode. Every response carries {@value #MODE_HEADER} ({@code
 * read-write} or {@code browse-only}) so a front end can hide buttons. While browse-only, safe
 * methods (GET, HEAD, OPTIONS, TRACE) pass, and so do requests under allow-listed path prefixes
 * (sign-in, say); any other request gets {@code 503 Service Unavailable} with {@code Retry-After}
 * and an {@code application/problem+json} body of type {@value #PROBLEM_TYPE}, carrying the
 * reasons' messages and the ETA. Nothing reaches the application. A {@link ReadOnlyModeException}
 * that escapes the application (from a {@link WriteOperation} gate, or thrown by a handler that
 * found the write path failing) gets the same 503 instead of a 500.
 */
@SuppressWarnings("exports")
public final class ReadModeFilter implements Filter {
  /** The header that tells every response's mode. */
  public static final String MODE_HEADER = "Brownout-Mode";

  /** The stable problem type of a refused write. */
  public static final String PROBLEM_TYPE = "https://brownout.dev/problems/browse-only";

  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

  private final ReadMode readMode;
  private final List<String> allowedPrefixes;
  private final Duration defaultRetryAfter;

  /**
   * A filter for {@code readMode}.
   *
   * @param allowedPrefixes path prefixes (below the context path) whose writes always pass
   * @param defaultRetryAfter the {@code Retry-After} when no reason gives an ETA
   */
  public ReadModeFilter(
      ReadMode readMode, List<String> allowedPrefixes, Duration defaultRetryAfter) {
    this.readMode = Objects.requireNonNull(readMode, "readMode");
    this.allowedPrefixes = List.copyOf(allowedPrefixes);
    if (defaultRetryAfter.isNegative() || defaultRetryAfter.isZero()) {
      throw new IllegalArgumentException(
          "defaultRetryAfter must be positive but was " + defaultRetryAfter);
    }
    this.defaultRetryAfter = defaultRetryAfter;
  }

  /** A filter with no allow-listed paths and a 60-second default {@code Retry-After}. */
  public ReadModeFilter(ReadMode readMode) {
    this(readMode, List.of(), Duration.ofSeconds(60));
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest http = (HttpServletRequest) request;
    HttpServletResponse out = (HttpServletResponse) response;
    Mode mode = readMode.mode();
    out.setHeader(MODE_HEADER, mode.headerValue());
    if (mode == Mode.READ_WRITE
        || SAFE.contains(http.getMethod().toUpperCase(Locale.ROOT))
        || allowed(http)) {
      try {
        chain.doFilter(request, response);
      } catch (IOException | ServletException | RuntimeException e) {
        // A write the application or its @WriteOperation gate refused, or one that revealed the
        // write path failing: answer as if the filter had refused it, never with a 500.
        if (refusedWrite(e) && !out.isCommitted()) {
          out.reset();
          out.setHeader(MODE_HEADER, readMode.mode().headerValue());
          refuse(http, out);
          return;
        }
        throw e;
      }
      return;
    }
    refuse(http, out);
  }

  private static boolean refusedWrite(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ReadOnlyModeException) {
        return true;
      }
    }
    return false;
  }

  private void refuse(HttpServletRequest http, HttpServletResponse out) throws IOException {
    List<ReadOnlyReason> reasons = readMode.reasons();
    Instant eta = readMode.retryAfter().orElse(null);
    Duration retryAfter = eta == null ? defaultRetryAfter : Duration.between(Instant.now(), eta);
    String detail =
        reasons.isEmpty()
            ? "The application is browse-only for now; please try again shortly."
            : String.join(" ", reasons.stream().map(ReadOnlyReason::message).toList());
    Problem problem =
        new Problem(
            java.net.URI.create(PROBLEM_TYPE),
            "Browse-only",
            503,
            detail,
            http.getRequestURI(),
            java.util.Map.of());
    if (eta != null) {
      problem = problem.with("eta", eta.toString());
    }
    problem = problem.with("reasons", reasons.stream().map(ReadOnlyReason::id).toList());
    ProblemResponses.send(out, problem, retryAfter);
  }

  private boolean allowed(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    for (String prefix : allowedPrefixes) {
      if (path.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
