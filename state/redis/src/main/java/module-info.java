/** A {@code StateStore} on Redis, through Lettuce. */
// Filled by its own issue; it exports its API package once that package has types.
module dev.brownout.state.redis {
  requires transitive dev.brownout.state;
}
