package dev.brownout.degrade;

import dev.brownout.core.metrics.MeterSpec;
import java.util.List;

/**
 * The meters of overload protection and game days: adaptive concurrency limits, bounded buffers and
 * fault-injection experiments.
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

  /** How full a buffer is. */
  public static final MeterSpec BUFFER_FILL =
      MeterSpec.gauge(
          "brownout.degrade.buffer.fill",
          "How full a bounded buffer is, from 0 (empty) to 1 (full), by buffer.",
          "",
          "buffer");

  /** Items a buffer dropped. */
  public static final MeterSpec BUFFER_DROPPED =
      MeterSpec.counter(
          "brownout.degrade.buffer.dropped",
          "Items a bounded buffer dropped because it was full, by buffer and policy: drop_head"
              + " (the oldest went), drop_tail (the newest was refused), block (the newest was"
              + " refused after waiting).",
          "buffer",
          "policy");

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
        LIMIT,
        IN_FLIGHT,
        NO_LOAD_LATENCY,
        LATENCY,
        SHED,
        BUFFER_FILL,
        BUFFER_DROPPED,
        FAULTS_ACTIVE,
        FAULTS_INJECTED);
  }
}
