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
   * their changes are kept on this server and written to the store when it answers again (retried
   * every second, and before any later load of the same session here). A session not in the cache
   * fails closed. Needs the near cache ({@code brownout.session.near-cache.size} above zero).
   */
  SERVE_CACHED,
  /**
   * The request goes on with a new, empty session, as if it had none: the user is signed out rather
   * than refused. The new session is saved when the store answers again.
   */
  NEW_SESSION
}
