package dev.brownout.degrade;

import dev.brownout.core.admin.Problem;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.internal.servlet.ProblemResponses;
import dev.brownout.core.time.BrownoutClock;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Admits inbound requests under an adaptive {@link ConcurrencyLimiter}: a request beyond the limit
 * (beyond its priority's share of it) gets {@code 503 Service Unavailable} at once, with {@code
 * Retry-After} and an {@code application/problem+json} body of type {@value #PROBLEM_TYPE}, and
 * never reaches the application; so the requests that are admitted are served near the no-load
 * latency instead of all of them queueing until they time out.
 *
 * <p>A request's {@link Priority} comes from the {@link PriorityResolver} if it answers, else from
 * the longest matching route prefix ({@code /checkout} matches {@code /checkout/pay}, segment by
 * segment, on the path the container dispatches), else the default. Under overload the lowest
 * priority is refused first.
 *
 * <p>Optionally ({@link Builder#browseOnlyBeforeShedding}), the server enters browse-only mode as
 * the last step before it sheds reads: when a safe request (GET, HEAD) of at least the given
 * priority is refused, a local automatic reason {@value #BROWSE_ONLY_REASON} is set on this server,
 * renewed while reads are being refused and lapsing {@code brownout.degrade.concurrency
 * .browse-only-hold} after the last; writes are then refused politely by the {@link
 * ReadModeFilter}, which must sit before this filter, and their room goes to reads.
 */
@SuppressWarnings("exports")
public final class ConcurrencyLimitFilter implements Filter {
  /** The stable problem type of a request shed under overload. */
  public static final String PROBLEM_TYPE = "https://brownout.dev/problems/overloaded";

  /** The id of the browse-only reason this filter sets. */
  public static final String BROWSE_ONLY_REASON = "auto:overload";

  private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");
  private static final long RENEW_EVERY_NANOS = Duration.ofSeconds(1).toNanos();

  /** Finds a request's priority; empty to let the routes and the default decide. */
  @FunctionalInterface
  public interface PriorityResolver {
    /** The priority of {@code request}, or empty. */
    Optional<Priority> priority(HttpServletRequest request);
  }

  private record Route(List<String> segments, Priority priority) {}

  private final ConcurrencyLimiter limiter;
  private final List<Route> routes;
  private final @Nullable PriorityResolver resolver;
  private final Priority defaultPriority;
  private final Duration retryAfter;
  private final @Nullable ReadMode readMode;
  private final Priority readsPriority;
  private final Duration browseOnlyHold;
  private final BrownoutClock clock;
  private volatile long lastRenewal = Long.MIN_VALUE;

  private ConcurrencyLimitFilter(Builder builder) {
    this.limiter = builder.limiter;
    List<Route> sorted = new ArrayList<>(builder.routes);
    sorted.sort(Comparator.comparingInt((Route r) -> r.segments().size()).reversed());
    this.routes = List.copyOf(sorted);
    this.resolver = builder.resolver;
    this.defaultPriority = builder.defaultPriority;
    this.retryAfter = builder.settings.get(DegradeConfig.CONCURRENCY_RETRY_AFTER);
    this.readMode = builder.readMode;
    this.readsPriority = builder.readsPriority;
    this.browseOnlyHold = builder.settings.get(DegradeConfig.CONCURRENCY_BROWSE_ONLY_HOLD);
    this.clock = builder.clock;
  }

  /** Starts a filter that admits requests under {@code limiter}. */
  public static Builder builder(ConcurrencyLimiter limiter) {
    return new Builder(limiter);
  }

  /** The limiter requests are admitted under. */
  public ConcurrencyLimiter limiter() {
    return limiter;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest http = (HttpServletRequest) request;
    HttpServletResponse out = (HttpServletResponse) response;
    Priority priority = priority(http);
    long permit = limiter.tryAcquire(priority);
    if (permit == ConcurrencyLimiter.REJECTED) {
      refuse(http, out, priority);
      return;
    }
    AtomicBoolean released = new AtomicBoolean();
    boolean async = false;
    try {
      chain.doFilter(request, response);
      if (http.isAsyncStarted()) {
        async = true;
        http.getAsyncContext().addListener(new Release(permit, released));
      }
    } catch (IOException | ServletException | RuntimeException | Error e) {
      if (released.compareAndSet(false, true)) {
        limiter.onIgnore(permit);
      }
      throw e;
    }
    if (!async && released.compareAndSet(false, true)) {
      limiter.onSuccess(permit);
    }
  }

  /** Ends an asynchronous request's permit once. */
  private final class Release implements AsyncListener {
    private final long permit;
    private final AtomicBoolean released;

    Release(long permit, AtomicBoolean released) {
      this.permit = permit;
      this.released = released;
    }

    @Override
    public void onComplete(AsyncEvent event) {
      if (released.compareAndSet(false, true)) {
        limiter.onSuccess(permit);
      }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      if (released.compareAndSet(false, true)) {
        limiter.onDropped(permit);
      }
    }

    @Override
    public void onError(AsyncEvent event) {
      if (released.compareAndSet(false, true)) {
        limiter.onIgnore(permit);
      }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      event.getAsyncContext().addListener(this);
    }
  }

  Priority priority(HttpServletRequest request) {
    if (resolver != null) {
      Optional<Priority> resolved = resolver.priority(request);
      if (resolved.isPresent()) {
        return resolved.get();
      }
    }
    if (!routes.isEmpty()) {
      String servletPath = request.getServletPath();
      String pathInfo = request.getPathInfo();
      List<String> path =
          segments((servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo));
      for (Route route : routes) {
        if (path.size() >= route.segments().size()
            && path.subList(0, route.segments().size()).equals(route.segments())) {
          return route.priority();
        }
      }
    }
    return defaultPriority;
  }

  private void refuse(HttpServletRequest http, HttpServletResponse out, Priority priority)
      throws IOException {
    if (readMode != null
        && priority.compareTo(readsPriority) >= 0
        && SAFE.contains(http.getMethod().toUpperCase(Locale.ROOT))) {
      enterBrowseOnly();
    }
    Problem problem =
        new Problem(
                URI.create(PROBLEM_TYPE),
                "Overloaded",
                503,
                "The server is busy and could not take this request; please try again shortly.",
                http.getRequestURI(),
                Map.of())
            .with("priority", priority.name().toLowerCase(Locale.ROOT));
    ProblemResponses.send(out, problem, retryAfter);
  }

  /** Holds this server browse-only while reads are being shed, renewing at most once a second. */
  private void enterBrowseOnly() {
    ReadMode mode = Objects.requireNonNull(readMode);
    long now = clock.nanoTime();
    long last = lastRenewal;
    if (last != Long.MIN_VALUE && now - last < RENEW_EVERY_NANOS) {
      return;
    }
    lastRenewal = now;
    Instant at = clock.instant();
    mode.enterLocally(
        ReadOnlyReason.builder(BROWSE_ONLY_REASON, ReadOnlyReason.Kind.AUTOMATIC)
            .source("concurrency limiter " + limiter.name())
            .since(at)
            .message(
                "The site is very busy: changes are paused for a moment so that browsing keeps"
                    + " working.")
            .leaseUntil(at.plus(browseOnlyHold))
            .server(mode.serverId())
            .build());
  }

  private static List<String> segments(String path) {
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      if (!segment.isEmpty()) {
        segments.add(segment);
      }
    }
    return segments;
  }

  /** Builds a {@link ConcurrencyLimitFilter}. Not thread-safe. */
  public static final class Builder {
    private final ConcurrencyLimiter limiter;
    private final List<Route> routes = new ArrayList<>();
    private final Settings settings =
        Settings.of(
            List.of(
                DegradeConfig.CONCURRENCY_RETRY_AFTER, DegradeConfig.CONCURRENCY_BROWSE_ONLY_HOLD));
    private @Nullable PriorityResolver resolver;
    private Priority defaultPriority = Priority.NORMAL;
    private @Nullable ReadMode readMode;
    private Priority readsPriority = Priority.NORMAL;
    private BrownoutClock clock = BrownoutClock.system();

    private Builder(ConcurrencyLimiter limiter) {
      this.limiter = Objects.requireNonNull(limiter, "limiter");
    }

    /**
     * Requests to {@code path} (below the context path) and everything below it have {@code
     * priority}; the longest matching path wins.
     *
     * @throws IllegalArgumentException if the path is not plain absolute segments
     */
    public Builder route(String path, Priority priority) {
      Objects.requireNonNull(priority, "priority");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("a route must start with '/' but was '" + path + "'");
      }
      List<String> segments = segments(path);
      for (String segment : segments) {
        if (segment.equals(".") || segment.equals("..") || segment.indexOf(';') >= 0) {
          throw new IllegalArgumentException(
              "a route is plain segments such as /checkout but was '" + path + "'");
        }
      }
      routes.add(new Route(List.copyOf(segments), priority));
      return this;
    }

    /** Decides a request's priority before the routes do (by header, by user, by anything). */
    public Builder resolver(PriorityResolver resolver) {
      this.resolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /** The priority of a request no route or resolver places. Default {@link Priority#NORMAL}. */
    public Builder defaultPriority(Priority priority) {
      this.defaultPriority = Objects.requireNonNull(priority, "priority");
      return this;
    }

    /** The Retry-After of a shed request ({@code …concurrency.retry-after}). Default 1 s. */
    public Builder retryAfter(Duration retryAfter) {
      settings.set(DegradeConfig.CONCURRENCY_RETRY_AFTER, retryAfter);
      return this;
    }

    /**
     * Enters browse-only on {@code readMode} (this server only) as the last step before reads of
     * priority {@code reads} or above are shed; see the class comment.
     */
    public Builder browseOnlyBeforeShedding(ReadMode readMode, Priority reads) {
      this.readMode = Objects.requireNonNull(readMode, "readMode");
      this.readsPriority = Objects.requireNonNull(reads, "reads");
      return this;
    }

    /** How long browse-only holds after reads were last shed ({@code …browse-only-hold}). */
    public Builder browseOnlyHold(Duration hold) {
      settings.set(DegradeConfig.CONCURRENCY_BROWSE_ONLY_HOLD, hold);
      return this;
    }

    /** Reads {@code brownout.degrade.concurrency.retry-after} and {@code …browse-only-hold}. */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    /** The clock of the browse-only lease. Default: the system's. */
    public Builder clock(BrownoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Builds it. */
    public ConcurrencyLimitFilter build() {
      return new ConcurrencyLimitFilter(this);
    }
  }
}
