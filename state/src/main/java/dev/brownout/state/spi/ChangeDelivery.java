package dev.brownout.state.spi;

import dev.brownout.state.ChangeEvent;
import dev.brownout.state.WatchListener;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a change to a namespace's listeners on the store's notification thread, a {@link
 * ChangeDispatcher}, leaving out each listener's own changes (same {@link WatchListener#origin()
 * origin}); when every listener made the change itself, nothing is handed over at all, so a server
 * does no work for its own writes. The dispatcher's buffer is bounded: a change it has no room for
 * is made up for by telling its listeners their feed was lost, then to resynchronise.
 */
public final class ChangeDelivery {
  private static final Logger log = LoggerFactory.getLogger(ChangeDelivery.class);

  private ChangeDelivery() {}

  /** Delivers {@code event} to those of {@code listeners} that did not make it. */
  public static void deliver(
      List<WatchListener> listeners, ChangeEvent event, ChangeDispatcher dispatcher) {
    if (!anyWants(listeners, event)) {
      return;
    }
    dispatcher.deliver(listeners, event);
  }

  /** On the dispatcher thread: tells each listener that wants {@code event}. */
  static void run(List<WatchListener> listeners, ChangeEvent event) {
    for (WatchListener listener : listeners) {
      if (wants(listener, event)) {
        try {
          listener.onChange(event);
        } catch (RuntimeException e) {
          log.warn("A watcher of namespace {} failed on {}", event.namespace(), event, e);
        }
      }
    }
  }

  private static boolean anyWants(List<WatchListener> listeners, ChangeEvent event) {
    for (WatchListener listener : listeners) {
      if (wants(listener, event)) {
        return true;
      }
    }
    return false;
  }

  static boolean wants(WatchListener listener, ChangeEvent event) {
    String origin = event.origin();
    return origin == null || !origin.equals(listener.origin());
  }
}
