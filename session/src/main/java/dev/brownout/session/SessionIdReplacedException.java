package dev.brownout.session;

/**
 * A request carried the id its session had until a change of id a moment ago, and asked for a
 * session: it is answered with the conflict status rather than given a new session that would
 * replace the signed-in one in the browser. The session filter turns it into that answer.
 */
final class SessionIdReplacedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  SessionIdReplacedException() {
    super(
        "the session id this request carries was replaced a moment ago (a sign-in); the client's"
            + " next request carries the new one");
  }
}
