/** The contract suite that every {@code StateStore} implementation extends and must pass. */
// Filled by its own issue; it exports its API package once that package has types.
module dev.brownout.state.testkit {
  requires transitive dev.brownout.state;
}
