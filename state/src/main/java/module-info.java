/**
 * The storage contract shared by flags, sessions and read mode: records of named byte fields with a
 * version and an optional expiry, in namespaces; the in-memory store; the near cache.
 */
// The store modules that read the internal package depend on this one, so javac cannot see them
// when it compiles this module; the qualified export is still checked when they are compiled.
@SuppressWarnings("module")
module dev.brownout.state {
  requires transitive dev.brownout.core;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;

  exports dev.brownout.state;
  exports dev.brownout.state.internal to
      dev.brownout.state.redis,
      dev.brownout.state.dynamodb,
      dev.brownout.session;

  // The audit sink stores its records as JSON through core's codec.
  opens dev.brownout.state to
      com.fasterxml.jackson.databind;

  provides dev.brownout.core.ModuleDeclarations with
      dev.brownout.state.internal.StateDeclarations;
}
