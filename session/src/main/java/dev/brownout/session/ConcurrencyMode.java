package dev.brownout.session;

/**
 * What happens when two requests for the same session, on the same server or two, change it at the
 * same time. Every mode saves only what a request changed, so the modes differ only on a clash.
 */
public enum ConcurrencyMode {
  /**
   * The default. Each changed attribute is written as it is; two requests that change different
   * attributes both survive, and on the same attribute the later save wins. No extra round trip.
   */
  LAST_WRITER_WINS,
  /**
   * A save is conditional on the version the request loaded. If another save came in between, the
   * attributes this request changed are compared with what is stored now: those nobody else changed
   * are saved; those changed by both are a conflict, kept as the other request left them, counted
   * in {@code brownout.session.conflicts} and reported to every {@link SessionConflictListener}.
   */
  OPTIMISTIC,
  /**
   * Requests for one session take a lease lock in the store before they load it, and wait at most
   * {@code brownout.session.lock.wait} for it; the lock is released at the end of the request, and
   * expires by itself after {@code brownout.session.lock.lease} if a server dies holding it. Costs
   * two more round trips per request that uses its session; for flows that must be serialised.
   */
  LOCK
}
