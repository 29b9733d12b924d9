package dev.brownout.state.spi;

import dev.brownout.state.ChangeEvent;
import dev.brownout.state.WatchListener;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a change to a namespace's listeners on the store's notification thread, leaving out each
 * listener's own changes (same {@link WatchListener#origin() origin}); when every listener made the
 * change itself, nothing is handed over at all, so a server does no work for its own writes.
 */
public final class ChangeDelivery {
  private static final Logger log = LoggerFactory.getLogger(ChangeDelivery.class);

  private ChangeDelivery() {}

  /** Delivers {@code event} to those of {@code listeners} that did not make it. */
  public static void deliver(List<WatchListener> listeners, ChangeEvent event, Executor executor) {
    if (!anyWants(listeners, event)) {
      return;
    }
    executor.execute(
        () -> {
          for (WatchListener listener : listeners) {
            if (wants(listener, event)) {
              try {
                listener.onChange(event);
              } catch (RuntimeException e) {
                log.warn("A watcher of namespace {} failed on {}", event.namespace(), event, e);
              }
            }
          }
        });
  }

  private static boolean anyWants(List<WatchListener> listeners, ChangeEvent event) {
    for (WatchListener listener : listeners) {
      if (wants(listener, event)) {
        return true;
      }
    }
    return false;
  }

  private static boolean wants(WatchListener listener, ChangeEvent event) {
    String origin = event.origin();
    return origin == null || !origin.equals(listener.origin());
  }
}
