package dev.brownout.core.guard;

/**
 * The documented order of Brownout's guards, outermost first. A call meets them in this order:
 *
 * <ol>
 *   <li>{@link #FEATURE_FLAG}: a feature that is off never reaches anything below;
 *   <li>{@link #READ_MODE}: a write refused in browse-only mode is not retried or counted as a
 *       failure of the dependency;
 *   <li>{@link #FALLBACK}: sees the final outcome of everything below, once;
 *   <li>{@link #RETRY}: each attempt passes through the breaker, so the breaker sees every attempt;
 *   <li>{@link #CIRCUIT_BREAKER};
 *   <li>{@link #RATE_LIMITER};
 *   <li>{@link #TIMEOUT}: bounds a single attempt;
 *   <li>{@link #BULKHEAD}: innermost, so a slot is held only while the call really runs.
 * </ol>
 *
 * The steps leave gaps so applications can place their own guards between Brownout's.
 */
public final class GuardOrder {
  private GuardOrder() {}

  /** {@code @FeatureFlag}. */
  public static final int FEATURE_FLAG = 1000;

  /** {@code @WriteOperation} / {@code @ReadOnlySafe}. */
  public static final int READ_MODE = 2000;

  /** Typed fallbacks. */
  public static final int FALLBACK = 3000;

  /** {@code @Retry}. */
  public static final int RETRY = 4000;

  /** {@code @CircuitBreaker}. */
  public static final int CIRCUIT_BREAKER = 5000;

  /** {@code @RateLimit}. */
  public static final int RATE_LIMITER = 6000;

  /** {@code @Timeout}. */
  public static final int TIMEOUT = 7000;

  /** {@code @Bulkhead}. */
  public static final int BULKHEAD = 8000;
}
