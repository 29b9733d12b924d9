package dev.brownout.degrade;

import dev.brownout.core.metrics.MeterSpec;
import java.util.List;

/**
 * The meters of overload protection and game days: adaptive concurrency limits and fault-injection
 * experiments. Bounded buffers' meters are core's ({@link
 * dev.brownout.core.buffer.BoundedBuffer#FILL}, {@link
 * dev.brownout.core.buffer.BoundedBuffer#DROPPED}).
 */
public final class OverloadMeters {
  private OverloadMeters() {}

  /** A limiter's limit now. */
  public static final MeterSpec LIMIT =
      MeterSpec.gauge(
          "brownout.degrade.concurrency.limit",
          "The adaptive concurrency limit now, by limiter: how many calls or requests may run at"
              + " once.",
          "calls",
          "limiter");

  /** Calls in flight. */
  public static final MeterSpec IN_FLIGHT =
      MeterSpec.gauge(
          "brownout.degrade.concurrency.in_flight",
          "Calls or requests a limiter has admitted that have not finished, by limiter.",
          "calls",
          "limiter");

  /** The no-load latency a limiter keeps latency near. */
  public static final MeterSpec NO_LOAD_LATENCY =
      MeterSpec.gauge(
          "brownout.degrade.concurrency.no_load_latency",
          "The latency of the fastest calls lately, which the limiter keeps latency near, by"
              + " limiter.",
          "seconds",
          "limiter");

  /** The latest window's average latency. */
  public static final MeterSpec LATENCY =
      MeterSpec.gauge(
          "brownout.degrade.concurrency.latency",
          "The average latency of the calls in the limiter's latest window, by limiter.",
          "seconds",
          "limiter");

  /** Calls and requests shed. */
  public static final MeterSpec SHED =
      MeterSpec.counter(
          "brownout.degrade.concurrency.shed",
          "Calls or requests a limiter refused because its limit (the priority's share of it) was"
              + " reached, by limiter and priority (low, normal, high, critical).",
          "limiter",
          "priority");

  /** Fault-injection experiments running. */
  public static final MeterSpec FAULTS_ACTIVE =
      MeterSpec.gauge(
          "brownout.degrade.faults.active",
          "Fault-injection experiments running on this server now.",
          "experiments");

  /** Faults injected. */
  public static final MeterSpec FAULTS_INJECTED =
      MeterSpec.counter(
          "brownout.degrade.faults.injected",
          "Faults injected into calls and store operations, by experiment and fault (latency,"
              + " exception, connection).",
          "experiment",
          "fault");

  /** Every meter of overload protection and game days. */
  public static List<MeterSpec> all() {
    return List.of(
        LIMIT, IN_FLIGHT, NO_LOAD_LATENCY, LATENCY, SHED, FAULTS_ACTIVE, FAULTS_INJECTED);
  }
}
