package dev.brownout.degrade;

/**
 * A call was refused at once because its {@link ConcurrencyLimiter} was at its limit (or at the
 * share of it the call's {@link Priority} may use): the dependency is serving all it can at its
 * no-load latency, and more calls would only queue. Transient: a {@link Fallback} takes it, a
 * failover chain tries the next provider.
 */
public class OverloadedException extends CallRejectedException {
  private static final long serialVersionUID = 1L;

  private final String limiter;
  private final Priority priority;

  /** Creates the exception for a call of {@code priority} refused by {@code limiter}. */
  public OverloadedException(String operation, String limiter, Priority priority, int limit) {
    super(
        operation
            + " was refused at once: concurrency limiter '"
            + limiter
            + "' is at its limit of "
            + limit
            + " for "
            + priority.name().toLowerCase(java.util.Locale.ROOT)
            + "-priority calls");
    this.limiter = limiter;
    this.priority = priority;
  }

  /** The limiter that refused the call. */
  public String limiter() {
    return limiter;
  }

  /** The priority of the refused call. */
  public Priority priority() {
    return priority;
  }
}
