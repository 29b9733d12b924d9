package dev.brownout.state.redis;

import dev.brownout.state.ChangeEvent;
import dev.brownout.state.WatchListener;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A watch listener for the failover tests: queues changes (with arrival time), counts resyncs. */
final class Watchers implements WatchListener {
  record Heard(ChangeEvent event, long nanos) {}

  final BlockingQueue<Heard> heard = new LinkedBlockingQueue<>();
  final AtomicInteger resyncs = new AtomicInteger();

  @Override
  public void onChange(ChangeEvent event) {
    heard.add(new Heard(event, System.nanoTime()));
  }

  @Override
  public void onResync() {
    resyncs.incrementAndGet();
  }

  /** The next change of {@code key} within {@code limit}, or null. */
  Heard next(String key, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      Heard next = heard.poll(20, TimeUnit.MILLISECONDS);
      if (next != null && next.event().key().equals(key)) {
        return next;
      }
    }
    return null;
  }
}
