/**
 * Brownout core: the configuration, metrics, clock, JSON codec, admin route model and method guards
 * that every other Brownout module builds on. It starts no server: the admin transports are in
 * {@code dev.brownout.admin}.
 */
// The modules the internal package is exported to depend on this one, so javac cannot see them
// here.
@SuppressWarnings("module")
module dev.brownout.core {
  requires transitive micrometer.core;
  requires transitive org.jspecify;
  requires org.slf4j;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jsr310;
  // Optional: only the problem+json writer of the servlet filters uses it; the container provides
  // it.
  requires static jakarta.servlet;
  // Optional: only subclass proxies of classes use it; applications that want them add it.
  requires static net.bytebuddy;

  exports dev.brownout.core;
  exports dev.brownout.core.buffer;
  exports dev.brownout.core.config;
  exports dev.brownout.core.metrics;
  exports dev.brownout.core.time;
  exports dev.brownout.core.json;
  exports dev.brownout.core.admin;
  exports dev.brownout.core.guard;

  // Helpers for Brownout's own modules only.
  exports dev.brownout.core.internal to
      dev.brownout.state,
      dev.brownout.state.redis,
      dev.brownout.state.dynamodb,
      dev.brownout.flags,
      dev.brownout.session,
      dev.brownout.degrade,
      dev.brownout.admin;
  exports dev.brownout.core.internal.servlet to
      dev.brownout.session,
      dev.brownout.degrade;

  opens dev.brownout.core.admin to
      com.fasterxml.jackson.databind;

  uses dev.brownout.core.ModuleDeclarations;

  provides dev.brownout.core.ModuleDeclarations with
      dev.brownout.core.internal.CoreDeclarations;
}
