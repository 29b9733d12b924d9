package dev.brownout.session;

/** Told of every refused session save ({@link SessionConflict}), on the thread that saved it. */
@FunctionalInterface
public interface SessionConflictListener {
  /** A save was refused, or (held changes) written over another's. */
  void onConflict(SessionConflict conflict);
}
