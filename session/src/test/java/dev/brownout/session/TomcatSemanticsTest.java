package dev.brownout.session;

/** The servlet semantics on Tomcat 11. */
class TomcatSemanticsTest extends ServletSemanticsContract {
  @Override
  SessionServer start(Sessions sessions) {
    return SessionServer.tomcat(sessions);
  }
}
