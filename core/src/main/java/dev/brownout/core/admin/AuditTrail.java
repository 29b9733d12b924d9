package dev.brownout.core.admin;

import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.internal.OutageLog;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.BrownoutClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers audit records so that every applied change has its record: a change first reserves room
 * for its record (a change that cannot is refused before it is applied), the record goes to the
 * sink at once, and a record the sink refuses is kept, in order, and delivered again until the sink
 * takes it. While records are waiting, later ones queue behind them.
 */
final class AuditTrail implements AutoCloseable {
  /** Audit records reserved or waiting for the sink. */
  static final int CAPACITY = 10_000;

  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
  private static final Duration RETRY_FIRST = Duration.ofMillis(200);
  private static final Duration RETRY_MOST = Duration.ofSeconds(30);

  private final AuditSink sink;
  private final BrownoutMetrics metrics;
  private final OutageLog outage;
  private final int capacity;
  // Records reserved by changes in flight plus records waiting: never above capacity.
  private final AtomicInteger held = new AtomicInteger();
  private final ArrayDeque<AuditRecord> waiting = new ArrayDeque<>();
  private @Nullable ScheduledExecutorService retrier;
  private Duration backoff = RETRY_FIRST;

  AuditTrail(AuditSink sink, BrownoutMetrics metrics, BrownoutClock clock, int capacity) {
    this.sink = sink;
    this.metrics = metrics;
    this.capacity = capacity;
    this.outage = new OutageLog(log, "Audit sink", clock, OutageLog.DEFAULT_SUMMARY_INTERVAL);
    metrics.gauge(AdminApi.AUDIT_PENDING, held, AtomicInteger::get);
  }

  /** Reserves room for one record; false if the trail is full, and the change must be refused. */
  boolean reserve() {
    while (true) {
      int now = held.get();
      if (now >= capacity) {
        return false;
      }
      if (held.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Gives back a reservation whose change was not applied. */
  void release() {
    held.decrementAndGet();
  }

  /** Records waiting for the sink. */
  synchronized int waiting() {
    return waiting.size();
  }

  /** Delivers the record of an applied change, for which room was reserved. */
  void record(AuditRecord record) {
    synchronized (this) {
      if (!waiting.isEmpty()) {
        waiting.addLast(record);
        return;
      }
    }
    if (deliver(record)) {
      held.decrementAndGet();
      return;
    }
    synchronized (this) {
      waiting.addLast(record);
      scheduleRetry();
    }
  }

  private boolean deliver(AuditRecord record) {
    try {
      sink.record(record);
      outage.recovered();
      return true;
    } catch (RuntimeException e) {
      metrics.counter(AdminApi.AUDIT_FAILURES).increment();
      outage.failed(
          "records wait in memory and are delivered again; changes are refused once "
              + capacity
              + " wait",
          e);
      return false;
    }
  }

  private synchronized void scheduleRetry() {
    if (retrier == null) {
      retrier =
          Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("brownout-audit-retry"));
    }
    retrier.schedule(this::retry, backoff.toMillis(), TimeUnit.MILLISECONDS);
    backoff =
        backoff.multipliedBy(2).compareTo(RETRY_MOST) > 0 ? RETRY_MOST : backoff.multipliedBy(2);
  }

  /** Delivers waiting records in order until the sink refuses one again. */
  private void retry() {
    while (true) {
      AuditRecord next;
      synchronized (this) {
        next = waiting.peekFirst();
        if (next == null) {
          backoff = RETRY_FIRST;
          return;
        }
      }
      if (!deliver(next)) {
        synchronized (this) {
          scheduleRetry();
        }
        return;
      }
      synchronized (this) {
        waiting.removeFirst();
      }
      held.decrementAndGet();
    }
  }

  @Override
  public synchronized void close() {
    if (retrier != null) {
      retrier.shutdownNow();
    }
  }
}
