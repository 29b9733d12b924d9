/** Feature flags: targeting, sticky percentage rollout, staged rollout plans and kill switches. */
// Filled by its own issue; it exports its API package once that package has types.
module dev.brownout.flags {
  requires transitive dev.brownout.state;
}
