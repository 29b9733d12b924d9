package dev.brownout.state;

import org.jspecify.annotations.Nullable;

/**
 * Told about changes to a watched namespace. Called on a store thread: return quickly, and do not
 * call the store from here synchronously if it can block for long.
 */
public interface WatchListener {

  /** A record changed. Events for one key arrive in order; events may be repeated. */
  void onChange(ChangeEvent event);

  /**
   * Changes may have been missed (the connection to the store was lost and is back, or polling fell
   * behind): re-read whatever you keep from this namespace.
   */
  default void onResync() {}

  /**
   * The feed of changes is down (the connection to the store was lost, or polling fails): changes
   * made now are not announced until {@link #onResync()} follows, once the feed is back and
   * re-subscribed. Whatever is kept from this namespace may be going stale meanwhile.
   */
  default void onFeedLost() {}

  /**
   * The {@link Update#origin() origin} of this listener's own writes, which it already knows about.
   * A store may leave changes with this origin out, and so save passing them on (Redis and the
   * in-memory store do); it need not, so a listener that returns an origin must still ignore its
   * own changes itself. Default: none, so every change is delivered.
   */
  default @Nullable String origin() {
    return null;
  }
}
