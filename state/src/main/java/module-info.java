/**
 * The storage contract shared by flags, sessions and read mode: records of named byte fields with a
 * version and an optional expiry, in namespaces; the in-memory store; the near cache.
 */
module dev.brownout.state {
  requires transitive dev.brownout.core;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;

  exports dev.brownout.state;
  // For store implementations, Brownout's own and third-party ones.
  exports dev.brownout.state.spi;

  // The audit sink stores its records as JSON through core's codec.
  opens dev.brownout.state to
      com.fasterxml.jackson.databind;

  provides dev.brownout.core.ModuleDeclarations with
      dev.brownout.state.internal.StateDeclarations;
}
