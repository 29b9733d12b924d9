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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP gate of browse-only mode. Every response carries {@value #MODE_HEADER} ({@code
 * read-write} or {@code browse-only}) so a front end can hide buttons. While browse-only, safe
 * methods (GET, HEAD, OPTIONS) pass, and so do requests to allow-listed paths (sign-in, say); any
 * other request gets {@code 503 Service Unavailable} with {@code Retry-After} and an {@code
 * application/problem+json} body of type {@value #PROBLEM_TYPE}, carrying the reasons' messages and
 * the ETA. Nothing reaches the application. A {@link ReadOnlyModeException} that escapes the
 * application (from a {@link WriteOperation} gate, or thrown by a handler that found the write path
 * failing) gets the same 503 instead of a 500. {@code TRACE} is refused with 405 in every mode: it
 * echoes the request, cookies included, and no application needs it.
 *
 * <p>An allow-listed path {@code /signin} matches {@code /signin} and everything below it ({@code
 * /signin/callback}), segment by segment, never {@code /signinX}. It is matched against the path
 * the container dispatches ({@code getServletPath() + getPathInfo()}: decoded, with dot segments
 * and path parameters removed), never the raw request URI, so {@code /signin/../bookings} or {@code
 * /signin;x/../bookings} is the write to {@code /bookings} the application will see, and is
 * refused.
 */
@SuppressWarnings("exports")
public final class ReadModeFilter implements Filter {
  /** The header that tells every response's mode. */
  public static final String MODE_HEADER = "Brownout-Mode";

  /** The stable problem type of a refused write. */
  public static final String PROBLEM_TYPE = "https://brownout.dev/problems/browse-only";

  /** The stable problem type of a refused TRACE. */
  public static final String TRACE_PROBLEM_TYPE =
      "https://brownout.dev/problems/method-not-allowed";

  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

  /** The longest Retry-After the gate sends, whatever ETA a reason gives. */
  static final Duration MAX_RETRY_AFTER = Duration.ofDays(1);

  private final ReadMode readMode;
  private final List<List<String>> allowed;
  private final Duration defaultRetryAfter;

  /**
   * A filter for {@code readMode}.
   *
   * @param allowedPaths paths (below the context path, such as {@code /signin}) whose writes, and
   *     the writes of every path below them, always pass
   * @param defaultRetryAfter the {@code Retry-After} when no reason gives an ETA
   * @throws IllegalArgumentException if a path is not absolute or holds empty, {@code .} or {@code
   *     ..} segments
   */
  public ReadModeFilter(ReadMode readMode, List<String> allowedPaths, Duration defaultRetryAfter) {
    this.readMode = Objects.requireNonNull(readMode, "readMode");
    List<List<String>> paths = new ArrayList<>();
    for (String path : allowedPaths) {
      paths.add(allowedSegments(path));
    }
    this.allowed = List.copyOf(paths);
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
    String method = http.getMethod().toUpperCase(Locale.ROOT);
    if (method.equals("TRACE")) {
      refuseTrace(http, out);
      return;
    }
    if (mode == Mode.READ_WRITE || SAFE.contains(method) || allowed(http)) {
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

  private static void refuseTrace(HttpServletRequest http, HttpServletResponse out)
      throws IOException {
    out.setHeader("Allow", "GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE");
    ProblemResponses.send(
        out,
        new Problem(
            java.net.URI.create(TRACE_PROBLEM_TYPE),
            "Method not allowed",
            405,
            "TRACE is not served: it would echo the request, cookies included",
            http.getRequestURI(),
            java.util.Map.of()),
        Duration.ofSeconds(1));
  }

  private void refuse(HttpServletRequest http, HttpServletResponse out) throws IOException {
    readMode.refused("filter");
    List<ReadOnlyReason> reasons = readMode.reasons();
    Instant eta = readMode.retryAfter().orElse(null);
    Duration retryAfter = retryAfter(eta, Instant.now(), defaultRetryAfter);
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

  /** The Retry-After for {@code eta}: at least a second, at most {@link #MAX_RETRY_AFTER}. */
  static Duration retryAfter(@Nullable Instant eta, Instant now, Duration otherwise) {
    Duration wait = eta == null ? otherwise : Duration.between(now, eta);
    if (wait.compareTo(Duration.ofSeconds(1)) < 0) {
      return Duration.ofSeconds(1);
    }
    return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
  }

  private boolean allowed(HttpServletRequest request) {
    if (allowed.isEmpty()) {
      return false;
    }
    // What the container dispatches on: decoded, dot segments and path parameters removed.
    String servletPath = request.getServletPath();
    String pathInfo = request.getPathInfo();
    String dispatched =
        (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    return allows(dispatched);
  }

  /** Whether the dispatched path {@code path} is an allow-listed path or below one. */
  boolean allows(String path) {
    List<String> segments = segments(path);
    if (segments == null) {
      return false;
    }
    for (List<String> prefix : allowed) {
      if (segments.size() >= prefix.size() && segments.subList(0, prefix.size()).equals(prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The segments of a dispatched path, or null if it holds anything a container should have removed
   * ({@code .}, {@code ..}, {@code ;}): such a path is never allowed, whatever it starts with.
   */
  private static @Nullable List<String> segments(String path) {
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty()) {
        continue;
      }
      if (segment.equals(".") || segment.equals("..") || segment.indexOf(';') >= 0) {
        return null;
      }
      segments.add(segment);
    }
    return segments;
  }

  private static List<String> allowedSegments(String path) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException(
          "an allowed path must start with '/' but was '" + path + "'");
    }
    List<String> segments = new ArrayList<>();
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException(
          "allowing '/' would let every write through; list the paths whose writes pass");
    }
    for (String segment : trimmed.substring(1).split("/", -1)) {
      if (segment.isEmpty()
          || segment.equals(".")
          || segment.equals("..")
          || segment.indexOf(';') >= 0
          || segment.indexOf('%') >= 0) {
        throw new IllegalArgumentException(
            "an allowed path is plain segments such as /signin or /account/password but was '"
                + path
                + "'");
      }
      segments.add(segment);
    }
    return List.copyOf(segments);
  }
}
