package dev.brownout.session;

/** The servlet semantics on Jetty 12. */
class JettySemanticsTest extends ServletSemanticsContract {
  @Override
  SessionServer start(Sessions sessions) {
    return new SessionServer(sessions);
  }
}
