package dev.brownout.core.buffer;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.metrics.MeterSpec;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A buffer of work handed off to be done later (audit shipping, analytics, change fan-out, changes
 * held while a store is down) that never grows past its capacity: when producers outrun the
 * consumer, it drops by its {@link Policy} instead of taking the heap with it, counts every drop
 * ({@link #DROPPED}, {@code brownout.buffer.dropped}) and reports how full it is ({@link #FILL},
 * {@code brownout.buffer.fill}). Which items may be lost is a choice per destination: metrics keep
 * the newest ({@link Policy#DROP_HEAD}), a log of events keeps what it has ({@link
 * Policy#DROP_TAIL}), and records that must not be lost make the producer wait a bounded time and
 * then refuse ({@link Policy#BLOCK}), so the producer can keep them elsewhere.
 *
 * <p>Thread-safe: any number of producers and consumers.
 *
 * @param <T> the items
 */
public final class BoundedBuffer<T> {
  /** How full a buffer is. */
  public static final MeterSpec FILL =
      MeterSpec.gauge(
          "brownout.buffer.fill",
          "How full a bounded buffer is, from 0 (empty) to 1 (full), by buffer.",
          "",
          "buffer");

  /** Items a buffer dropped. */
  public static final MeterSpec DROPPED =
      MeterSpec.counter(
          "brownout.buffer.dropped",
          "Items a bounded buffer dropped because it was full, by buffer and policy: drop_head"
              + " (the oldest went), drop_tail (the newest was refused), block (the newest was"
              + " refused after waiting).",
          "buffer",
          "policy");

  /** What a full buffer does with one more item. */
  public enum Policy {
    /** Drops the oldest item to make room: the newest data wins. */
    DROP_HEAD,
    /** Refuses the new item: what was buffered first is kept. */
    DROP_TAIL,
    /** Waits up to the block timeout for room, then refuses the new item. */
    BLOCK
  }

  private final String name;
  private final int capacity;
  private final Policy policy;
  private final long blockNanos;
  private final @Nullable Consumer<? super T> onDrop;
  private final ArrayDeque<T> items;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder accepted = new LongAdder();
  private volatile int size;

  private BoundedBuffer(Builder<T> builder) {
    this.name = builder.name;
    this.capacity = builder.capacity;
    this.policy = builder.policy;
    this.blockNanos = builder.blockTimeout.toNanos();
    this.onDrop = builder.onDrop;
    this.items = new ArrayDeque<>(Math.min(capacity, 1024));
    builder.metrics.gauge(FILL, this, BoundedBuffer::fill, name);
    builder.metrics.functionCounter(
        DROPPED, dropped, LongAdder::doubleValue, name, policy.name().toLowerCase(Locale.ROOT));
  }

  /** Starts a buffer named {@code name} (a meter tag) holding at most {@code capacity} items. */
  public static <T> Builder<T> builder(String name, int capacity) {
    return new Builder<>(name, capacity);
  }

  /**
   * Hands {@code item} over. When the buffer is full: {@link Policy#DROP_HEAD} drops the oldest
   * item and takes this one; {@link Policy#DROP_TAIL} refuses this one at once; {@link
   * Policy#BLOCK} waits up to its timeout for room, then refuses it. Every dropped item is counted
   * and handed to the drop callback.
   *
   * @return whether {@code item} is in the buffer
   */
  public boolean offer(T item) {
    Objects.requireNonNull(item, "item");
    T evicted = null;
    boolean taken;
    lock.lock();
    try {
      if (items.size() >= capacity && policy == Policy.BLOCK) {
        long wait = blockNanos;
        while (items.size() >= capacity && wait > 0) {
          try {
            wait = notFull.awaitNanos(wait);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      if (items.size() < capacity) {
        items.addLast(item);
        taken = true;
      } else if (policy == Policy.DROP_HEAD) {
        evicted = items.pollFirst();
        items.addLast(item);
        taken = true;
      } else {
        taken = false;
      }
      size = items.size();
      if (taken) {
        notEmpty.signal();
      }
    } finally {
      lock.unlock();
    }
    if (taken) {
      accepted.increment();
    }
    if (evicted != null) {
      drop(evicted);
    } else if (!taken) {
      drop(item);
    }
    return taken;
  }

  private void drop(T item) {
    dropped.increment();
    if (onDrop != null) {
      try {
        onDrop.accept(item);
      } catch (RuntimeException e) {
        // The callback is for counting and logging; it must not fail the producer.
      }
    }
  }

  /** The oldest item, removed, or empty if there is none. */
  public Optional<T> poll() {
    lock.lock();
    try {
      T item = items.pollFirst();
      if (item != null) {
        size = items.size();
        notFull.signal();
      }
      return Optional.ofNullable(item);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The oldest item, removed, waiting up to {@code timeout} for one.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public Optional<T> poll(Duration timeout) throws InterruptedException {
    long wait = timeout.toNanos();
    lock.lockInterruptibly();
    try {
      while (items.isEmpty()) {
        if (wait <= 0) {
          return Optional.empty();
        }
        wait = notEmpty.awaitNanos(wait);
      }
      T item = items.pollFirst();
      size = items.size();
      notFull.signal();
      return Optional.ofNullable(item);
    } finally {
      lock.unlock();
    }
  }

  /** The oldest item without removing it, or empty. */
  public Optional<T> peek() {
    lock.lock();
    try {
      return Optional.ofNullable(items.peekFirst());
    } finally {
      lock.unlock();
    }
  }

  /** Moves up to {@code max} of the oldest items into {@code into}; returns how many. */
  public int drainTo(Collection<? super T> into, int max) {
    lock.lock();
    try {
      int moved = 0;
      while (moved < max && !items.isEmpty()) {
        into.add(items.pollFirst());
        moved++;
      }
      size = items.size();
      if (moved > 0) {
        notFull.signalAll();
      }
      return moved;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits up to {@code timeout} until the buffer holds an item, without taking it; true if it does.
   * For a consumer that looks at the oldest item ({@link #peek()}) before it takes it.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitItem(Duration timeout) throws InterruptedException {
    long wait = timeout.toNanos();
    lock.lockInterruptibly();
    try {
      while (items.isEmpty()) {
        if (wait <= 0) {
          return false;
        }
        wait = notEmpty.awaitNanos(wait);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The buffer's name. */
  public String name() {
    return name;
  }

  /** The most items it holds. */
  public int capacity() {
    return capacity;
  }

  /** What it does when full. */
  public Policy policy() {
    return policy;
  }

  /** How long a producer waits for room under {@link Policy#BLOCK}. */
  public Duration blockTimeout() {
    return Duration.ofNanos(blockNanos);
  }

  /** Items held now. */
  public int size() {
    return size;
  }

  /** How full it is, from 0 to 1. */
  public double fill() {
    return (double) size / capacity;
  }

  /** Items dropped since it was built. */
  public long dropped() {
    return dropped.sum();
  }

  /** Items taken since it was built. */
  public long accepted() {
    return accepted.sum();
  }

  @Override
  public String toString() {
    return "BoundedBuffer[" + name + " " + size + "/" + capacity + " " + policy + "]";
  }

  /**
   * Builds a {@link BoundedBuffer}. Not thread-safe.
   *
   * @param <T> the items
   */
  public static final class Builder<T> {
    /** The default wait of a {@link Policy#BLOCK} buffer. */
    public static final Duration DEFAULT_BLOCK_TIMEOUT = Duration.ofMillis(100);

    private final String name;
    private final int capacity;
    private Policy policy = Policy.DROP_TAIL;
    private Duration blockTimeout = DEFAULT_BLOCK_TIMEOUT;
    private @Nullable Consumer<? super T> onDrop;
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();

    private Builder(String name, int capacity) {
      this.name = Objects.requireNonNull(name, "name");
      if (capacity < 1) {
        throw new IllegalArgumentException(
            "buffer " + name + " must hold at least 1 item but its capacity was " + capacity);
      }
      this.capacity = capacity;
    }

    /** What a full buffer does. Default {@link Policy#DROP_TAIL}. */
    public Builder<T> policy(Policy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * How long a producer waits for room under {@link Policy#BLOCK}: at least 1 ms, at most a
     * minute. Default 100 ms.
     */
    public Builder<T> blockTimeout(Duration timeout) {
      if (timeout.toMillis() < 1 || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException(
            "buffer " + name + ": the block timeout must be 1 ms to 1 min but was " + timeout);
      }
      this.blockTimeout = timeout;
      return this;
    }

    /** Called with each item dropped, on the thread that dropped it; for logging. */
    public Builder<T> onDrop(Consumer<? super T> callback) {
      this.onDrop = Objects.requireNonNull(callback, "callback");
      return this;
    }

    /** Where its meters go. Default: in memory. */
    public Builder<T> metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** Builds it. */
    public BoundedBuffer<T> build() {
      return new BoundedBuffer<>(this);
    }
  }
}
