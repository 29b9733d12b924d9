package dev.brownout.session;

import dev.brownout.state.ChangeEvent;
import dev.brownout.state.ForwardingStateStore;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.Watch;
import dev.brownout.state.WatchListener;
import dev.brownout.state.WriteResult;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A store that can be switched off: every call then fails as an unreachable store does, and its
 * watchers are told the feed is lost; switched on, they are told to resynchronise, as a store's
 * reconnect does.
 */
final class SwitchableStore extends ForwardingStateStore {
  private volatile boolean down;
  private final List<WatchListener> listeners = new CopyOnWriteArrayList<>();

  SwitchableStore(StateStore store) {
    super(store);
  }

  void down() {
    down = true;
    listeners.forEach(WatchListener::onFeedLost);
  }

  void up() {
    down = false;
    listeners.forEach(WatchListener::onResync);
  }

  private void check() {
    if (down) {
      throw new StateUnavailableException("switched off for the test", null);
    }
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key) {
    check();
    return super.read(namespace, key);
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
    check();
    return super.read(namespace, key, fields);
  }

  @Override
  public WriteResult update(Namespace namespace, String key, Update update) {
    check();
    return super.update(namespace, key, update);
  }

  @Override
  public boolean delete(Namespace namespace, String key, Precondition precondition) {
    check();
    return super.delete(namespace, key, precondition);
  }

  @Override
  public Watch watch(Namespace namespace, WatchListener listener) {
    WatchListener relay =
        new WatchListener() {
          @Override
          public void onChange(ChangeEvent event) {
            listener.onChange(event);
          }

          @Override
          public void onResync() {
            listener.onResync();
          }

          @Override
          public void onFeedLost() {
            listener.onFeedLost();
          }

          @Override
          public @Nullable String origin() {
            return listener.origin();
          }
        };
    listeners.add(relay);
    Watch watch = super.watch(namespace, relay);
    return () -> {
      listeners.remove(relay);
      watch.close();
    };
  }
}
