package dev.brownout.degrade;

/**
 * How much a request or call matters when there is not room for all of them: under overload a
 * {@link ConcurrencyLimiter} sheds the lowest first. Declared from least to most important, so
 * {@code LOW.compareTo(CRITICAL) < 0}.
 *
 * <p>Each priority may use a share of the limit: {@link #CRITICAL} all of it, {@link #HIGH} 90 %,
 * {@link #NORMAL} 75 %, {@link #LOW} 50 %. So while calls of every priority queue for the limit,
 * extras are refused first, then ordinary work, and checkout last.
 */
public enum Priority {
  /** Extras that a page can do without: recommendations, previews, analytics. */
  LOW(0.5),
  /** Ordinary work: browsing, search. The default. */
  NORMAL(0.75),
  /** Work users wait for: signing in, their own bookings. */
  HIGH(0.9),
  /** What must get through while anything does: checkout, payment. */
  CRITICAL(1.0);

  private final double share;

  Priority(double share) {
    this.share = share;
  }

  /** The share of the limit this priority may use, from 0.5 to 1. */
  public double share() {
    return share;
  }

  /**
   * The in-flight count below which this priority is admitted, for {@code limit}: its share,
   * rounded to the nearest call. Rounded rather than floored because at the small limits of a slow
   * dependency (3 or 4) flooring would keep the highest priority present below the limit, leaving
   * room the dependency could serve unused; there the top priorities share the whole limit and only
   * the lower ones are held back.
   */
  int threshold(int limit) {
    return Math.max(1, (int) Math.round(limit * share));
  }
}
