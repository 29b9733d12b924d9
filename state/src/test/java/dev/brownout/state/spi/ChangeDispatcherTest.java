package dev.brownout.state.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.ChangeEvent;
import dev.brownout.state.WatchListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bounded fan-out of change events: order, drops made up for, the store's own tasks. */
class ChangeDispatcherTest {
  final BrownoutMetrics metrics = BrownoutMetrics.inMemory();
  final List<ChangeDispatcher> dispatchers = new ArrayList<>();
  final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void shutDown() {
    release.countDown();
    dispatchers.forEach(ChangeDispatcher::shutdown);
  }

  ChangeDispatcher dispatcher(int capacity) {
    ChangeDispatcher dispatcher =
        ChangeDispatcher.builder("test-watch").capacity(capacity).metrics(metrics).build();
    dispatchers.add(dispatcher);
    return dispatcher;
  }

  /** Records what it is told; blocks on the change to key "block" until the test releases it. */
  final class Recorder implements WatchListener {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final CountDownLatch blocked = new CountDownLatch(1);
    final @Nullable String origin;

    Recorder(@Nullable String origin) {
      this.origin = origin;
    }

    Recorder() {
      this(null);
    }

    @Override
    public void onChange(ChangeEvent event) {
      if (event.key().equals("block")) {
        blocked.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      calls.add(event.key());
    }

    @Override
    public void onFeedLost() {
      calls.add("lost");
    }

    @Override
    public void onResync() {
      calls.add("resync");
    }

    @Override
    public @Nullable String origin() {
      return origin;
    }
  }

  static ChangeEvent change(String key) {
    return new ChangeEvent("flags", key, 1);
  }

  static void awaitUntil(BooleanSupplier condition, String what) throws InterruptedException {
    for (int i = 0; i < 2_000 && !condition.getAsBoolean(); i++) {
      Thread.sleep(5);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  /** Blocks the dispatcher thread in {@code recorder} on the change to "block". */
  static void block(ChangeDispatcher dispatcher, List<WatchListener> listeners, Recorder recorder)
      throws InterruptedException {
    ChangeDelivery.deliver(listeners, change("block"), dispatcher);
    assertThat(recorder.blocked.await(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void deliversInOrderLeavingOutAListenersOwnChanges() throws Exception {
    ChangeDispatcher dispatcher = dispatcher(100);
    Recorder mine = new Recorder("me");
    Recorder other = new Recorder();
    List<WatchListener> listeners = List.of(mine, other);
    for (int i = 0; i < 10; i++) {
      ChangeDelivery.deliver(
          listeners, new ChangeEvent("flags", "k" + i, i, i % 2 == 0 ? "me" : null), dispatcher);
    }
    awaitUntil(() -> other.calls.size() == 10, "all ten delivered");
    assertThat(other.calls)
        .containsExactly("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9");
    assertThat(mine.calls).containsExactly("k1", "k3", "k5", "k7", "k9");
    assertThat(dispatcher.dropped()).isZero();
  }

  @Test
  void aChangeThatFindsTheBufferFullIsMadeUpForByFeedLostThenResync() throws Exception {
    ChangeDispatcher dispatcher = dispatcher(4);
    Recorder recorder = new Recorder();
    List<WatchListener> listeners = List.of(recorder);
    block(dispatcher, listeners, recorder);
    for (String key : List.of("a", "b", "c", "d", "dropped-1", "dropped-2")) {
      ChangeDelivery.deliver(listeners, change(key), dispatcher);
    }
    assertThat(dispatcher.backlog()).isEqualTo(4);
    assertThat(dispatcher.dropped()).isEqualTo(2);
    assertThat(dispatcher.overflows()).isEqualTo(1);
    assertThat(
            metrics
                .registry()
                .get("brownout.buffer.dropped")
                .tag("buffer", "test-watch")
                .tag("policy", "drop_tail")
                .functionCounter()
                .count())
        .isEqualTo(2);

    release.countDown();
    awaitUntil(() -> recorder.calls.contains("resync"), "told to resynchronise");
    ChangeDelivery.deliver(listeners, change("after"), dispatcher);
    awaitUntil(() -> recorder.calls.contains("after"), "a later change delivered");
    // Told its feed is lost as soon as the thread was free, to resynchronise where the dropped
    // changes would have come, and the dropped changes themselves never.
    assertThat(recorder.calls)
        .containsExactly("block", "lost", "a", "b", "c", "d", "resync", "after");
    assertThat(dispatcher.overflows()).isEqualTo(1);
  }

  @Test
  void theStoresOwnTasksAreNeverDroppedAndKeepTheirPlaceAmongChanges() throws Exception {
    ChangeDispatcher dispatcher = dispatcher(4);
    Recorder recorder = new Recorder();
    List<WatchListener> listeners = List.of(recorder);
    block(dispatcher, listeners, recorder);
    for (String key : List.of("a", "b", "c", "d")) {
      ChangeDelivery.deliver(listeners, change(key), dispatcher);
    }
    // Full, nothing dropped yet: the task waits, and is not counted as dropped.
    dispatcher.execute(() -> recorder.calls.add("task-0"));
    ChangeDelivery.deliver(listeners, change("dropped-1"), dispatcher);
    dispatcher.execute(() -> recorder.calls.add("task-1"));
    ChangeDelivery.deliver(listeners, change("dropped-2"), dispatcher);
    dispatcher.execute(() -> recorder.calls.add("task-2"));
    assertThat(dispatcher.dropped()).isEqualTo(2);

    release.countDown();
    awaitUntil(() -> recorder.calls.contains("task-2"), "the second task run");
    assertThat(recorder.calls)
        .containsExactly(
            "block", "lost", "a", "b", "c", "d", "task-0", "resync", "task-1", "resync", "task-2");
    assertThat(dispatcher.overflows()).isEqualTo(1);
  }

  @Test
  void aWatcherThatStoppedWatchingIsNotToldAnything() throws Exception {
    ChangeDispatcher dispatcher = dispatcher(2);
    Recorder slow = new Recorder();
    Recorder gone = new Recorder();
    List<WatchListener> listeners = new CopyOnWriteArrayList<>(List.of(slow, gone));
    block(dispatcher, listeners, slow);
    for (String key : List.of("a", "b", "dropped")) {
      ChangeDelivery.deliver(listeners, change(key), dispatcher);
    }
    listeners.remove(gone);
    release.countDown();
    awaitUntil(() -> slow.calls.contains("resync"), "the remaining watcher resynchronised");
    assertThat(slow.calls).containsExactly("block", "lost", "a", "b", "resync");
    assertThat(gone.calls).containsExactly("block");
  }

  @Test
  void aSlowWatcherHoldsBackNoMoreThanTheCapacityHoweverManyChangesCome() throws Exception {
    ChangeDispatcher dispatcher = dispatcher(64);
    Recorder recorder = new Recorder();
    List<WatchListener> listeners = List.of(recorder);
    block(dispatcher, listeners, recorder);
    for (int i = 0; i < 100_000; i++) {
      ChangeDelivery.deliver(listeners, change("k" + i), dispatcher);
      if (i > 0 && i % 25_000 == 0) {
        dispatcher.execute(() -> recorder.calls.add("task"));
      }
    }
    // The buffer's 64 changes, and three tasks each behind the resynchronisation owed before it.
    assertThat(dispatcher.backlog()).isEqualTo(64 + 3 * 2);
    assertThat(dispatcher.dropped()).isEqualTo(100_000 - 64);

    release.countDown();
    awaitUntil(() -> dispatcher.backlog() == 0, "the backlog through");
    awaitUntil(() -> recorder.calls.get(recorder.calls.size() - 1).equals("resync"), "resync last");
    assertThat(recorder.calls.stream().filter(c -> c.startsWith("k"))).hasSize(64);
    assertThat(recorder.calls.stream().filter(c -> c.equals("lost"))).hasSize(1);
    assertThat(recorder.calls.stream().filter(c -> c.equals("resync"))).hasSize(4);
    assertThat(recorder.calls.stream().filter(c -> c.equals("task"))).hasSize(3);
    assertThat(dispatcher.overflows()).isEqualTo(1);
  }

  @Test
  void afterShutdownWhatWasHandedOverStillRunsAndNothingNewIsTaken() throws Exception {
    ChangeDispatcher dispatcher = dispatcher(10);
    Recorder recorder = new Recorder();
    List<WatchListener> listeners = List.of(recorder);
    block(dispatcher, listeners, recorder);
    ChangeDelivery.deliver(listeners, change("queued"), dispatcher);
    dispatcher.shutdown();
    ChangeDelivery.deliver(listeners, change("late"), dispatcher);
    assertThatThrownBy(() -> dispatcher.execute(() -> {}))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("test-watch is shut down");
    release.countDown();
    awaitUntil(() -> recorder.calls.contains("queued"), "the queued change delivered");
    assertThat(recorder.calls).containsExactly("block", "queued");
    assertThat(dispatcher.backlog()).isZero();
  }

  @Test
  void aCapacityBelowOneIsRefused() {
    assertThatThrownBy(() -> ChangeDispatcher.builder("w").capacity(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("change dispatcher w must hold at least 1 item but was given 0");
  }
}
