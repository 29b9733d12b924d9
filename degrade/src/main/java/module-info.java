/**
 * Graceful degradation: browse-only mode with its reasons, and the gate on service methods and HTTP
 * requests.
 */
module dev.brownout.degrade {
  requires transitive dev.brownout.state;
  requires transitive com.fasterxml.jackson.annotation;
  requires org.slf4j;
  requires transitive java.sql;
  requires transitive io.github.resilience4j.circuitbreaker;
  requires transitive io.github.resilience4j.retry;
  requires transitive io.github.resilience4j.bulkhead;
  requires transitive io.github.resilience4j.ratelimiter;
  requires io.github.resilience4j.core;
  requires io.github.resilience4j.micrometer;
  // Optional: only the servlet filter uses it; the host container provides it.
  requires static jakarta.servlet;

  exports dev.brownout.degrade;

  provides dev.brownout.core.ModuleDeclarations with
      dev.brownout.degrade.internal.DegradeDeclarations;

  // Reasons are read and written as JSON through core's codec.
  opens dev.brownout.degrade to
      com.fasterxml.jackson.databind;
}
