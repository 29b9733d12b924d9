package dev.brownout.spring;

import dev.brownout.core.admin.Problem;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.degrade.CallRejectedException;
import dev.brownout.degrade.CallTimeoutException;
import dev.brownout.degrade.ConcurrencyLimitFilter;
import dev.brownout.degrade.OverloadedException;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.ReadModeFilter;
import dev.brownout.degrade.ReadOnlyModeException;
import dev.brownout.degrade.ReadOnlyReason;
import dev.brownout.degrade.Resilience;
import dev.brownout.flags.FeatureDisabledException;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Brownout's exceptions from a Spring MVC handler as the answers they mean, instead of a 500: a
 * feature that is off is {@code brownout.spring.web.feature-off-status} (404 by default); an open
 * breaker, a full bulkhead or a rate limit without a fallback is 503, a timeout 504; a call its
 * concurrency limit refused is the inbound limit's 503 ({@code overloaded}, with {@code
 * Retry-After}); a write refused while browse-only is the browse-only filter's 503. All are {@code
 * application/problem+json}. It runs after the application's own {@code @ExceptionHandler}s, which
 * win.
 */
public final class BrownoutExceptionResolver implements HandlerExceptionResolver, Ordered {
  private static final Logger log = LoggerFactory.getLogger(BrownoutExceptionResolver.class);
  private static final String BASE = "https://brownout.dev/problems/";

  private final int featureOffStatus;
  private final boolean readModeFilter;
  private final Duration defaultRetryAfter;
  private final Duration overloadedRetryAfter;
  private final ReadMode readMode;
  private final Resilience resilience;

  BrownoutExceptionResolver(
      int featureOffStatus,
      boolean readModeFilter,
      Duration defaultRetryAfter,
      Duration overloadedRetryAfter,
      ReadMode readMode,
      Resilience resilience) {
    this.featureOffStatus = featureOffStatus;
    this.readModeFilter = readModeFilter;
    this.defaultRetryAfter = defaultRetryAfter;
    this.overloadedRetryAfter = overloadedRetryAfter;
    this.readMode = readMode;
    this.resilience = resilience;
  }

  /** After Spring MVC's own resolvers (order 0), which run the application's handlers. */
  @Override
  public int getOrder() {
    return 1;
  }

  @Override
  public @Nullable ModelAndView resolveException(
      HttpServletRequest request,
      HttpServletResponse response,
      @Nullable Object handler,
      Exception exception) {
    Throwable cause = brownoutCause(exception);
    if (cause == null || response.isCommitted()) {
      return null;
    }
    if (cause instanceof ReadOnlyModeException refused && readModeFilter) {
      // The browse-only filter answers it, exactly as it answers the writes it refuses itself.
      return null;
    }
    try {
      write(request, response, cause);
    } catch (IOException e) {
      log.debug("Could not write the answer to {}", request.getRequestURI(), e);
    }
    return new ModelAndView();
  }

  private void write(HttpServletRequest request, HttpServletResponse response, Throwable cause)
      throws IOException {
    String path = request.getRequestURI();
    Problem problem;
    Duration retryAfter = null;
    if (cause instanceof FeatureDisabledException off) {
      problem =
          new Problem(
              URI.create(BASE + "feature-off"),
              "Feature off",
              featureOffStatus,
              "This feature is not available.",
              path,
              Map.of("flag", off.flag()));
    } else if (cause instanceof CallNotPermittedException open) {
      retryAfter = waitInOpen(open.getCausingCircuitBreakerName());
      problem =
          new Problem(
              URI.create(BASE + "breaker-open"),
              "Temporarily unavailable",
              503,
              "A service this request needs is failing; please try again shortly.",
              path,
              Map.of("breaker", open.getCausingCircuitBreakerName()));
    } else if (cause instanceof CallTimeoutException) {
      problem =
          new Problem(
              URI.create(BASE + "call-timeout"),
              "Timed out",
              504,
              "A service this request needs did not answer in time.",
              path,
              Map.of());
    } else if (cause instanceof OverloadedException overloaded) {
      retryAfter = overloadedRetryAfter;
      problem =
          new Problem(
                  URI.create(ConcurrencyLimitFilter.PROBLEM_TYPE),
                  "Overloaded",
                  503,
                  "A service this request needs is busy and could not take it; please try again"
                      + " shortly.",
                  path,
                  Map.of("limiter", overloaded.limiter()))
              .with("priority", overloaded.priority().name().toLowerCase(Locale.ROOT));
    } else if (cause instanceof ReadOnlyModeException refused) {
      Instant eta = refused.retryAfter().orElse(null);
      retryAfter = eta == null ? defaultRetryAfter : Duration.between(Instant.now(), eta);
      List<ReadOnlyReason> reasons = refused.reasons();
      problem =
          new Problem(
              URI.create(ReadModeFilter.PROBLEM_TYPE),
              "Browse-only",
              503,
              reasons.isEmpty()
                  ? "The application is browse-only for now; please try again shortly."
                  : String.join(" ", reasons.stream().map(ReadOnlyReason::message).toList()),
              path,
              Map.of());
      if (eta != null) {
        problem = problem.with("eta", eta.toString());
      }
      problem = problem.with("reasons", reasons.stream().map(ReadOnlyReason::id).toList());
      response.setHeader(ReadModeFilter.MODE_HEADER, readMode.mode().headerValue());
    } else {
      problem =
          new Problem(
              URI.create(BASE + "call-refused"),
              "Temporarily unavailable",
              503,
              "Too many requests need a service this request needs; please try again shortly.",
              path,
              Map.of());
    }
    byte[] body = JsonCodec.standard().encode(problem);
    response.setStatus(problem.status());
    if (retryAfter != null) {
      response.setHeader("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())));
    }
    response.setHeader("Cache-Control", "no-store");
    response.setContentType(Problem.MEDIA_TYPE + ";charset=utf-8");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  private @Nullable Duration waitInOpen(String breaker) {
    try {
      long millis =
          resilience
              .circuitBreaker(breaker)
              .getCircuitBreakerConfig()
              .getWaitIntervalFunctionInOpenState()
              .apply(1);
      return Duration.ofMillis(millis);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static @Nullable Throwable brownoutCause(Throwable exception) {
    for (Throwable t = exception; t != null; t = t.getCause()) {
      if (t instanceof FeatureDisabledException
          || t instanceof CallNotPermittedException
          || t instanceof ReadOnlyModeException
          || t instanceof CallTimeoutException
          || t instanceof CallRejectedException
          || t instanceof BulkheadFullException
          || t instanceof RequestNotPermitted) {
        return t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
