package dev.brownout.degrade;

import dev.brownout.core.metrics.MeterSpec;
import java.util.List;

/**
 * The meters of guarded calls that Resilience4j does not measure itself (its own are {@code
 * resilience4j.circuitbreaker.*}, {@code resilience4j.retry.*}, {@code resilience4j.bulkhead.*},
 * {@code resilience4j.ratelimiter.*}): what an operator pages on when a vendor browns out.
 */
public final class ResilienceMeters {
  private ResilienceMeters() {}

  /** Fallbacks taken. */
  public static final MeterSpec FALLBACKS =
      MeterSpec.counter(
          "brownout.degrade.fallbacks",
          "Calls answered by their fallback, by guarded operation and the failure's type.",
          "operation",
          "failure");

  /** Attempts that ran out of time. */
  public static final MeterSpec TIMEOUTS =
      MeterSpec.counter(
          "brownout.degrade.timeouts",
          "Attempts of a @Timeout call that ran past their limit, by operation.",
          "operation");

  /** Calls refused because every timeout thread was busy. */
  public static final MeterSpec TIMEOUT_REJECTED =
      MeterSpec.counter(
          "brownout.degrade.timeout.rejected",
          "Synchronous @Timeout calls refused at once because every timeout thread was held by a"
              + " call that had not come back (brownout.degrade.timeout.max-threads).",
          "operation");

  /** Timeout threads in use. */
  public static final MeterSpec TIMEOUT_THREADS =
      MeterSpec.gauge(
          "brownout.degrade.timeout.threads",
          "Threads running synchronous @Timeout attempts now, including attempts whose caller has"
              + " stopped waiting but that have not come back.",
          "threads");

  /** Retries not made because the budget was spent. */
  public static final MeterSpec BUDGET_EXHAUSTED =
      MeterSpec.counter(
          "brownout.degrade.retry.budget.exhausted",
          "Retries and failovers not made because their budget (a share of recent calls) was"
              + " spent, by retry or failover chain.",
          "name");

  /** Failovers from one provider to the next. */
  public static final MeterSpec FAILOVERS =
      MeterSpec.counter(
          "brownout.degrade.failovers",
          "Calls a failover chain passed from one provider to the next, by chain and provider.",
          "chain",
          "from",
          "to");

  /** Every meter of guarded calls. */
  public static List<MeterSpec> all() {
    return List.of(
        FALLBACKS, TIMEOUTS, TIMEOUT_REJECTED, TIMEOUT_THREADS, BUDGET_EXHAUSTED, FAILOVERS);
  }
}
