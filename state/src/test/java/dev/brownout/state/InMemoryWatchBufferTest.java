package dev.brownout.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.metrics.BrownoutMetrics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store's change fan-out is bounded: a slow watcher makes it drop changes, and a near
 * cache in front of it is then told its feed was lost and resynchronises, so it serves nothing the
 * dropped changes made stale.
 */
class InMemoryWatchBufferTest {
  static final Namespace FLAGS = Namespace.small("flags");

  final BrownoutMetrics metrics = BrownoutMetrics.inMemory();
  final InMemoryStateStore store =
      InMemoryStateStore.builder().watchBuffer(4).metrics(metrics).build();
  final NearCache cache = NearCache.builder(store).metrics(metrics).build();
  final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void close() {
    release.countDown();
    cache.close();
    store.close();
  }

  /** Blocks the store's notification thread on the first change it is told of. */
  final class Slow implements WatchListener {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final CountDownLatch blocked = new CountDownLatch(1);

    @Override
    public void onChange(ChangeEvent event) {
      blocked.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
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
  }

  void set(String key, String value) {
    store.update(FLAGS, key, Update.builder().set("v", value).build());
  }

  String cached(String key) {
    return new String(
        cache.read(FLAGS, key).orElseThrow().fields().get("v"), StandardCharsets.UTF_8);
  }

  static void awaitUntil(BooleanSupplier condition, String what) throws InterruptedException {
    for (int i = 0; i < 2_000 && !condition.getAsBoolean(); i++) {
      Thread.sleep(5);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  @Test
  void aChangeDroppedForASlowWatcherLeavesNothingStaleInTheNearCache() throws Exception {
    set("f", "old");
    assertThat(cached("f")).isEqualTo("old");
    Slow slow = new Slow();
    store.watch(FLAGS, slow);
    set("block", "x");
    assertThat(slow.blocked.await(30, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 4; i++) {
      set("filler-" + i, "x");
    }
    // The buffer is full: this change is dropped, for the slow watcher and the cache alike.
    set("f", "new");
    set("g", "new");
    assertThat(
            metrics
                .registry()
                .get("brownout.buffer.dropped")
                .tag("buffer", "brownout-memory-store-watch")
                .functionCounter()
                .count())
        .isEqualTo(2);

    release.countDown();
    awaitUntil(() -> slow.calls.contains("resync"), "the slow watcher resynchronised");
    assertThat(slow.calls)
        .containsExactly("block", "lost", "filler-0", "filler-1", "filler-2", "filler-3", "resync");
    // The near cache was told the same, after the same changes: it read "f" again.
    assertThat(cached("f")).isEqualTo("new");
  }
}
