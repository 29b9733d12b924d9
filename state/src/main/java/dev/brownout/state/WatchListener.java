package dev.brownout.state;

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
}
