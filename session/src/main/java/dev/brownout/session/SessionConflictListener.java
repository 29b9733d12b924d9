package dev.brownout.session;

/** Told of every optimistic-mode conflict, on the thread that saved the session. */
@FunctionalInterface
public interface SessionConflictListener {
  /** A save lost some of its changes to a concurrent save. */
  void onConflict(SessionConflict conflict);
}
