package dev.brownout.core.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * An exact, monotonic count for the hottest paths (a flag evaluation, a guarded call), cheaper than
 * a {@link LongAdder} on the path that counts.
 *
 * <p>A {@code LongAdder} increments with an atomic compare-and-set: correct under contention, but
 * the locked instruction is a full fence that stalls the core for a few nanoseconds and keeps work
 * before and after it from overlapping. Here each thread that counts claims, once, a slot of its
 * own (by thread id), and from then on counts in it with plain ordered writes: one writer per slot,
 * so no atomic instruction is needed and none is used. A thread whose slot is held by another (more
 * threads than slots, or a slot kept by a thread that has ended) counts in a shared {@code
 * LongAdder} instead, so nothing is ever lost. Reading sums the slots and the adder.
 *
 * <p>Thread ids are never reused, so a slot never changes owner. Platform thread pools (servlet
 * containers, executors) claim slots and stay on the fast path; short-lived threads, such as one
 * virtual thread per request, mostly fall back to the adder and cost what a {@code LongAdder}
 * costs.
 */
public final class ThreadSlotCounter {
  private static final int SLOTS = 128;
  private static final VarHandle COUNT;
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Slot[].class);

  static {
    try {
      COUNT = MethodHandles.lookup().findVarHandle(Slot.class, "count", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // A plain array, read plainly on the path that counts: one load fewer than through an
  // AtomicReferenceArray. A slot is claimed with a compare-and-set on its element. A thread that
  // reads a stale null only takes the slow path; a Slot seen through a racy read is safe to use, as
  // its owner is final and its count is read and written opaquely.
  private final Slot[] slots = new Slot[SLOTS];
  private final LongAdder shared = new LongAdder();

  /** A counter at zero. */
  public ThreadSlotCounter() {}

  /** A count owned by one thread: only that thread writes it. */
  private static final class Slot {
    final long owner;
    // Written only by the owner, with opaque (untorn, coherent) writes; read by anyone.
    private long count;

    Slot(long owner) {
      this.owner = owner;
    }

    void increment() {
      COUNT.setOpaque(this, (long) COUNT.getOpaque(this) + 1);
    }

    long get() {
      return (long) COUNT.getOpaque(this);
    }
  }

  /** Adds one. Never blocks; uses no atomic instruction once this thread owns a slot. */
  public void increment() {
    Thread me = Thread.currentThread();
    long id = threadId(me);
    Slot slot = slots[(int) id & (SLOTS - 1)];
    if (slot != null && slot.owner == id) {
      slot.increment();
    } else {
      incrementSlowly(id);
    }
  }

  private void incrementSlowly(long id) {
    int index = (int) id & (SLOTS - 1);
    Slot slot = (Slot) SLOT.getVolatile(slots, index);
    if (slot == null) {
      Slot mine = new Slot(id);
      if (SLOT.compareAndSet(slots, index, (Slot) null, mine)) {
        mine.increment();
        return;
      }
      slot = (Slot) SLOT.getVolatile(slots, index);
    }
    if (slot.owner == id) {
      slot.increment();
    } else {
      shared.increment();
    }
  }

  /** The count so far. */
  public long sum() {
    long sum = shared.sum();
    for (int i = 0; i < SLOTS; i++) {
      Slot slot = (Slot) SLOT.getVolatile(slots, i);
      if (slot != null) {
        sum += slot.get();
      }
    }
    return sum;
  }

  /** The count so far, as a double (for a Micrometer function counter). */
  public double doubleValue() {
    return sum();
  }

  @SuppressWarnings("deprecation") // Thread.threadId() arrives in Java 19; getId() is the same.
  private static long threadId(Thread thread) {
    return thread.getId();
  }

  @Override
  public String toString() {
    return Long.toString(sum());
  }
}
