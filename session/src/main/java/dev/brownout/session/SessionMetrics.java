package dev.brownout.session;

import dev.brownout.core.metrics.MeterSpec;
import java.util.List;

/** The session module's meters. Every tag takes a small, fixed set of values. */
public final class SessionMetrics {
  private SessionMetrics() {}

  /** Loads. */
  public static final MeterSpec LOAD =
      MeterSpec.timer(
          "brownout.session.load",
          "Session loads by store and outcome: found, absent (unknown or expired id), error.",
          "store",
          "outcome");

  /** Saves. */
  public static final MeterSpec SAVE =
      MeterSpec.timer(
          "brownout.session.save",
          "Session saves by store and outcome: created, updated, unchanged (nothing written),"
              + " rotated, deleted, gone (invalidated or expired meanwhile, with nothing of the"
              + " request's lost), conflict (the request's changes could not be saved: see"
              + " brownout.session.conflicts), too-large, error.",
          "store",
          "outcome");

  /** Bytes written per save. */
  public static final MeterSpec BYTES_WRITTEN =
      MeterSpec.distribution(
          "brownout.session.bytes_written",
          "Bytes of field names and values each session save writes.",
          "bytes",
          "store");

  /** Saves refused because they could not be made as the request saw the session. */
  public static final MeterSpec CONFLICTS =
      MeterSpec.counter(
          "brownout.session.conflicts",
          "Session saves refused, by store and kind: attributes (another request changed the same"
              + " attributes first, optimistic mode), retries-exhausted, gone (invalidated or"
              + " expired meanwhile), rotated (the id changed meanwhile), held-overwritten (a"
              + " change held during an outage written over another's).",
          "store",
          "kind");

  /** Lock waits. */
  public static final MeterSpec LOCK_WAIT =
      MeterSpec.timer(
          "brownout.session.lock.wait",
          "Time spent taking a session lock in lock mode, by outcome: acquired, timeout.",
          "outcome");

  /** Codec failures. */
  public static final MeterSpec CODEC_FAILURES =
      MeterSpec.counter(
          "brownout.session.codec_failures",
          "Attributes that could not be decoded or encoded, by codec and action taken"
              + " (drop-attribute, invalidate, fail, skip-save).",
          "codec",
          "action");

  /** Store errors by policy action. */
  public static final MeterSpec STORE_ERRORS =
      MeterSpec.counter(
          "brownout.session.store_errors",
          "Requests that met an unreachable session store, by policy and action taken: rejected"
              + " (503), served-cached, deferred (change kept here, written later), new-session,"
              + " dropped (a new session's save that could not be written).",
          "policy",
          "action");

  /** Lifecycle events. */
  public static final MeterSpec EVENTS =
      MeterSpec.counter(
          "brownout.session.events",
          "Session lifecycle events: created, invalidated, rotated (id changed), evicted (over"
              + " the per-principal cap).",
          "event");

  /** Pending writes. */
  public static final MeterSpec PENDING =
      MeterSpec.gauge(
          "brownout.session.pending",
          "Sessions whose changes this server holds until the store answers again"
              + " (serve-cached policy).",
          "sessions");

  /** Every meter. */
  public static List<MeterSpec> all() {
    return List.of(
        LOAD,
        SAVE,
        BYTES_WRITTEN,
        CONFLICTS,
        LOCK_WAIT,
        CODEC_FAILURES,
        STORE_ERRORS,
        EVENTS,
        PENDING);
  }
}
