/**
 * Browse-only mode, and circuit breakers, retries, timeouts and fallbacks around third-party calls.
 */
// Filled by its own issue; it exports its API package once that package has types.
module dev.brownout.degrade {
  requires transitive dev.brownout.state;
}
