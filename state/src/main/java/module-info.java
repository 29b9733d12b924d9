/**
 * The storage contract shared by flags, sessions and read mode: records of named byte fields with a
 * version and an optional expiry, in namespaces.
 */
module dev.brownout.state {
  requires transitive dev.brownout.core;
  requires com.github.benmanes.caffeine;

  exports dev.brownout.state;
}
