package dev.brownout.state.spi;

import dev.brownout.core.buffer.BoundedBuffer;
import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.ChangeEvent;
import dev.brownout.state.WatchListener;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store's notification thread: hands change events to watchers ({@link
 * ChangeDelivery#deliver(List, ChangeEvent, ChangeDispatcher)}) and runs the store's own tasks
 * ({@link #execute(Runnable)}: telling watchers their feed is lost or back), one at a time and in
 * order, from a {@link BoundedBuffer} of {@link #DEFAULT_CAPACITY} items, so a slow watcher holds
 * back a bounded number of changes instead of the heap.
 *
 * <p>A change that finds the buffer full is dropped ({@code brownout.buffer.dropped}, by this
 * dispatcher's name and {@code drop_tail}), but not silently: it is treated as a change feed that
 * was lost. Each watcher that would have had it is told its feed is lost ({@link
 * WatchListener#onFeedLost()}) as soon as the thread is free, so a near cache stops trusting what
 * it holds, and told to resynchronise ({@link WatchListener#onResync()}) where the change would
 * have been delivered, after everything taken before it; so nothing it missed survives. One warning
 * is logged when changes start being dropped, not one per change.
 *
 * <p>The store's own tasks are never dropped: when the buffer is full, they wait, in order, until
 * it has room (there is one per connection event, not per change).
 *
 * <p>Thread-safe. The thread is a daemon, started on the first item and stopped by {@link
 * #shutdown()} once what was handed over before has run.
 */
public final class ChangeDispatcher implements Executor {
  /** Changes and tasks waiting for the watchers, by default, before changes are dropped. */
  public static final int DEFAULT_CAPACITY = 10_000;

  private static final Logger log = LoggerFactory.getLogger(ChangeDispatcher.class);
  private static final Duration IDLE_CHECK = Duration.ofMillis(500);

  /** A watcher and the list it is registered in, to tell whether it still watches. */
  private record Watcher(WatchListener listener, List<WatchListener> list) {
    boolean watching() {
      for (WatchListener registered : list) {
        if (registered == listener) {
          return true;
        }
      }
      return false;
    }
  }

  /** Watchers, each once, in the order first added. */
  private static final class Watchers {
    final Map<WatchListener, Boolean> seen = new IdentityHashMap<>();
    final List<Watcher> inOrder = new ArrayList<>();

    void add(Watcher watcher) {
      if (seen.put(watcher.listener(), Boolean.TRUE) == null) {
        inOrder.add(watcher);
      }
    }
  }

  private final String name;
  private final BoundedBuffer<Runnable> buffer;
  private final Object lock = new Object();
  // Guarded by lock. In delivery order: what is in the buffer, then what waits for room in it, then
  // the resynchronisation owed for changes dropped since (null if none).
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private @Nullable Watchers owed;
  private Watchers toTellLost = new Watchers();
  private int resyncsOwed;
  private long droppedInEpisode;
  private long episodes;
  private boolean shutdown;
  private @Nullable Thread thread;

  private ChangeDispatcher(Builder builder) {
    this.name = builder.name;
    this.buffer =
        BoundedBuffer.<Runnable>builder(builder.name, builder.capacity)
            .policy(BoundedBuffer.Policy.DROP_TAIL)
            .metrics(builder.metrics)
            .build();
  }

  /**
   * A dispatcher on a thread named {@code name} (also its buffer's name in the meters), holding up
   * to {@link #DEFAULT_CAPACITY} items, its meters kept in memory.
   */
  public static ChangeDispatcher create(String name) {
    return builder(name).build();
  }

  /** Starts a dispatcher on a thread named {@code name}, also its buffer's name in the meters. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The name of its thread and buffer. */
  public String name() {
    return name;
  }

  /** The most changes and tasks that wait for the watchers before changes are dropped. */
  public int capacity() {
    return buffer.capacity();
  }

  /** Changes dropped since it was built, each one made up for by a resynchronisation. */
  public long dropped() {
    return buffer.dropped();
  }

  /** How many times changes started being dropped (each logged once). */
  public long overflows() {
    synchronized (lock) {
      return episodes;
    }
  }

  /** Changes and tasks waiting for the thread now. */
  public int backlog() {
    synchronized (lock) {
      return buffer.size() + waiting.size();
    }
  }

  /** Hands {@code event} over for those of {@code listeners} that want it (some do). */
  void deliver(List<WatchListener> listeners, ChangeEvent event) {
    Runnable delivery = () -> ChangeDelivery.run(listeners, event);
    synchronized (lock) {
      if (shutdown) {
        // The store is closed: nobody is told anything any more.
        return;
      }
      if (moveWaiting()) {
        if (buffer.offer(delivery)) {
          start();
          return;
        }
      } else {
        // Full, with items waiting ahead of this one; offered only so the drop is counted.
        buffer.offer(delivery);
      }
      owe(listeners, event);
    }
  }

  /**
   * Runs one of the store's own tasks on the dispatcher thread, after everything handed over
   * before; never dropped.
   *
   * @throws RejectedExecutionException after {@link #shutdown()}
   */
  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    synchronized (lock) {
      if (shutdown) {
        throw new RejectedExecutionException("change dispatcher " + name + " is shut down");
      }
      // Room checked first: a task that waits is not dropped, so it must not count as dropped.
      if (moveWaiting() && buffer.size() < buffer.capacity()) {
        buffer.offer(task);
        start();
        return;
      }
      // Full: the resynchronisation owed for changes dropped so far comes first, then the task.
      sealOwed();
      waiting.addLast(task);
    }
  }

  /**
   * Stops taking changes and tasks; what was handed over before still runs, then the thread ends.
   */
  public void shutdown() {
    synchronized (lock) {
      shutdown = true;
    }
  }

  // --- under lock

  /** A change was dropped: its watchers resynchronise after what was taken before it. */
  private void owe(List<WatchListener> listeners, ChangeEvent event) {
    Watchers missing = owed;
    if (missing == null) {
      missing = new Watchers();
      owed = missing;
    }
    for (WatchListener listener : listeners) {
      if (ChangeDelivery.wants(listener, event) && !missing.seen.containsKey(listener)) {
        Watcher watcher = new Watcher(listener, listeners);
        missing.add(watcher);
        toTellLost.add(watcher);
      }
    }
    droppedInEpisode++;
    if (droppedInEpisode == 1) {
      episodes++;
      log.warn(
          "Change notifications come faster than the watchers of {} take them: {} wait, so"
              + " further ones are dropped; their watchers (of {}, first) are told their feed is"
              + " lost and resynchronise once the backlog is through",
          name,
          buffer.capacity(),
          event.namespace());
    }
    start();
  }

  /** Queues the resynchronisation owed so far behind what waits, so later items come after it. */
  private void sealOwed() {
    Watchers missing = owed;
    if (missing != null) {
      owed = null;
      resyncsOwed++;
      List<Watcher> watchers = missing.inOrder;
      waiting.addLast(() -> resync(watchers));
    }
  }

  /**
   * Moves what waits, then the resynchronisation owed, into the buffer while it has room; true if
   * nothing is left outside it, so a new item may join the buffer without overtaking any.
   */
  private boolean moveWaiting() {
    while (!waiting.isEmpty()) {
      if (buffer.size() >= buffer.capacity()) {
        return false;
      }
      buffer.offer(waiting.pollFirst());
    }
    if (owed != null) {
      if (buffer.size() >= buffer.capacity()) {
        return false;
      }
      sealOwed();
      buffer.offer(waiting.pollFirst());
    }
    return true;
  }

  private void start() {
    if (thread == null) {
      Thread made = DaemonThreads.named(name).newThread(this::run);
      thread = made;
      made.start();
    }
  }

  // --- on the dispatcher thread

  private void run() {
    try {
      while (true) {
        Runnable next;
        List<Watcher> lost;
        try {
          if (!buffer.awaitItem(IDLE_CHECK)) {
            synchronized (lock) {
              if (shutdown && waiting.isEmpty() && owed == null && buffer.size() == 0) {
                return;
              }
            }
            continue;
          }
        } catch (InterruptedException e) {
          // Nobody but a watcher interrupts this thread; it goes on unless shut down.
          continue;
        }
        synchronized (lock) {
          next = buffer.poll().orElse(null);
          moveWaiting();
          lost = toTellLost.inOrder.isEmpty() ? List.of() : toTellLost.inOrder;
          if (!lost.isEmpty()) {
            toTellLost = new Watchers();
          }
        }
        for (Watcher watcher : lost) {
          if (watcher.watching()) {
            try {
              watcher.listener().onFeedLost();
            } catch (RuntimeException e) {
              log.warn("A watcher failed on losing changes that {} dropped", name, e);
            }
          }
        }
        if (next != null) {
          try {
            next.run();
          } catch (RuntimeException e) {
            log.warn("A task of {} failed", name, e);
          }
        }
      }
    } finally {
      synchronized (lock) {
        thread = null;
        // Ended by an error thrown from a watcher: a new thread takes over what is left.
        if (!shutdown && (buffer.size() > 0 || !waiting.isEmpty() || owed != null)) {
          start();
        }
      }
    }
  }

  /** Tells watchers that missed dropped changes to read again: nothing they missed survives. */
  private void resync(List<Watcher> watchers) {
    for (Watcher watcher : watchers) {
      if (watcher.watching()) {
        try {
          watcher.listener().onResync();
        } catch (RuntimeException e) {
          log.warn("A watcher failed to resynchronise after {} dropped changes", name, e);
        }
      }
    }
    long dropped;
    synchronized (lock) {
      resyncsOwed--;
      if (resyncsOwed > 0 || owed != null) {
        return;
      }
      dropped = droppedInEpisode;
      droppedInEpisode = 0;
    }
    log.debug(
        "The watchers of {} caught up; {} changes dropped meanwhile were made up for by"
            + " resynchronising",
        name,
        dropped);
  }

  /** Builds a {@link ChangeDispatcher}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private int capacity = DEFAULT_CAPACITY;
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * The most changes and tasks that wait for the watchers before changes are dropped: at least 1.
     * Default {@value ChangeDispatcher#DEFAULT_CAPACITY}.
     */
    public Builder capacity(int items) {
      if (items < 1) {
        throw new IllegalArgumentException(
            "change dispatcher " + name + " must hold at least 1 item but was given " + items);
      }
      this.capacity = items;
      return this;
    }

    /** Where its buffer's meters go. Default: in memory. */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** Builds it; its thread starts with the first item. */
    public ChangeDispatcher build() {
      return new ChangeDispatcher(this);
    }
  }
}
