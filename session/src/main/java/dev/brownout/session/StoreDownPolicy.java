package dev.brownout.session;

/**
 * What a request that needs its session does when the store cannot be reached. Whatever the policy,
 * a store failure is never mistaken for "no session" without saying so: each action is counted in
 * {@code brownout.session.store_errors} by policy and action, and logged.
 */
public enum StoreDownPolicy {
  /**
   * The default. The request gets {@code 503 Service Unavailable} with {@code Retry-After} and an
   * {@code application/problem+json} body, never a 500, and the session is left as the store has
   * it. A change the application made is not acknowledged: if the save fails before the response is
   * committed, the response is replaced by the 503.
   */
  FAIL_CLOSED,
  /**
   * Sessions this server has in its near cache keep working: they are read from the cache, and
   * their changes are held on this server and written to the store when it answers again (retried
   * every second), each request's changes added to what is held, so concurrent requests all keep
   * theirs. A session not in the cache fails closed. Needs the near cache ({@code
   * brownout.session.near-cache.size} above zero); pair it with sticky sessions.
   *
   * <p>What it trades: a 200 for a held change means "held on this server", not "in the store". A
   * held change is lost if this server stops before the store answers; other servers do not see it
   * until it is written back; and it is written back over what other servers saved to the same
   * attributes meanwhile (reported as {@link SessionConflict.Kind#HELD_OVERWRITTEN}). A change the
   * store would refuse whatever happens (too large) is refused at once, never held.
   */
  SERVE_CACHED,
  /**
   * Reads go on with a new, empty session, as if the user had none (signed out rather than
   * refused); a request that changes its session (attributes, sign-in or out) fails closed with the
   * 503, so no change is answered 200 without being saved. The new, empty session is not stored.
   */
  NEW_SESSION
}
