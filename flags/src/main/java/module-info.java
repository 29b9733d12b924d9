/**
 * Feature flags: targeting, sticky percentage rollout and kill switches, evaluated against an
 * in-memory snapshot kept in step with a {@code StateStore}; admin routes and {@code @FeatureFlag}.
 */
module dev.brownout.flags {
  requires transitive dev.brownout.state;
  requires transitive com.fasterxml.jackson.annotation;
  requires org.slf4j;
  // Optional: only the OpenFeature provider uses it.
  requires static dev.openfeature.sdk;
  // Optional: only the JUnit 5 extension uses it.
  requires static org.junit.jupiter.api;
  requires static org.junit.platform.commons;

  exports dev.brownout.flags;
  exports dev.brownout.flags.openfeature;
  exports dev.brownout.flags.junit;

  provides dev.brownout.core.ModuleDeclarations with
      dev.brownout.flags.internal.FlagsDeclarations;

  // Definitions are read and written as JSON through core's codec.
  opens dev.brownout.flags to
      com.fasterxml.jackson.databind;
}
