package dev.brownout.degrade;

import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.AuditSink;
import dev.brownout.core.buffer.BoundedBuffer;
import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.internal.OutageLog;
import dev.brownout.core.metrics.BrownoutMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships audit records to a slow sink (a remote log service, a SIEM) from a {@link BoundedBuffer},
 * on a thread of its own, so a change never waits for the network. The buffer blocks ({@link
 * BoundedBuffer.Policy#BLOCK}) for a moment when full and then refuses the record by throwing, so
 * the admin API's audit trail keeps it and delivers it again: no record is dropped, and a sink that
 * stays down ends in changes being refused rather than in lost records. Records reach the sink in
 * order; one it refuses is offered again, with backoff, before any later one. Closing it delivers
 * what is still queued first, for up to {@link #DEFAULT_CLOSE_TIMEOUT} ({@link #close(Duration)}
 * for another bound), so the records of the last moments (an experiment that expired as the
 * application stops) are not lost with it.
 */
public final class BufferedAuditSink implements AuditSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BufferedAuditSink.class);
  private static final Duration RETRY_FIRST = Duration.ofMillis(100);
  private static final Duration RETRY_MOST = Duration.ofSeconds(10);

  /** How long {@link #close()} waits for the sink to take what is queued. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final AuditSink delegate;
  private final BoundedBuffer<AuditRecord> buffer;
  private final Thread shipper;
  private final OutageLog outage;
  // Records are taken under the read lock, closing under the write lock: none is taken after the
  // shipper was told to finish, to stay in the buffer undelivered.
  private final ReentrantReadWriteLock closing = new ReentrantReadWriteLock();
  private volatile boolean closed;
  private volatile long drainDeadline;

  private BufferedAuditSink(
      AuditSink delegate, String name, int capacity, Duration wait, BrownoutMetrics metrics) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.buffer =
        BoundedBuffer.<AuditRecord>builder(name, capacity)
            .policy(BoundedBuffer.Policy.BLOCK)
            .blockTimeout(wait)
            .metrics(metrics)
            .build();
    this.outage = new OutageLog(log, "Audit sink behind buffer " + name);
    this.shipper = DaemonThreads.named("brownout-audit-" + name).newThread(this::ship);
    shipper.start();
  }

  /**
   * Ships to {@code delegate} from a buffer named {@code name} of {@code capacity} records; a
   * record waits up to {@code wait} for room.
   */
  public static BufferedAuditSink of(
      AuditSink delegate, String name, int capacity, Duration wait, BrownoutMetrics metrics) {
    return new BufferedAuditSink(delegate, name, capacity, wait, metrics);
  }

  /** The buffer, for the admin API's view ({@link Resilience.Builder#buffer}). */
  public BoundedBuffer<AuditRecord> buffer() {
    return buffer;
  }

  /**
   * Queues {@code record} for the sink.
   *
   * @throws IllegalStateException if the buffer stayed full for the whole wait; the caller keeps
   *     the record
   */
  @Override
  public void record(AuditRecord record) {
    closing.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException(
            "audit buffer " + buffer.name() + " is closed; the record was not taken");
      }
      if (!buffer.offer(record)) {
        throw new IllegalStateException(
            "audit buffer "
                + buffer.name()
                + " is full ("
                + buffer.capacity()
                + " records wait for a sink that is slow or down); the record was not taken");
      }
    } finally {
      closing.readLock().unlock();
    }
  }

  @Override
  public List<AuditRecord> recent(int limit) {
    return delegate.recent(limit);
  }

  @Override
  public boolean keepsRecords() {
    return delegate.keepsRecords();
  }

  private void ship() {
    Duration backoff = RETRY_FIRST;
    while (true) {
      try {
        if (closed && (buffer.size() == 0 || System.nanoTime() - drainDeadline >= 0)) {
          return;
        }
        if (!buffer.awaitItem(Duration.ofMillis(closed ? 10 : 200))) {
          continue;
        }
        Optional<AuditRecord> next = buffer.peek();
        if (next.isEmpty()) {
          continue;
        }
        try {
          delegate.record(next.get());
          outage.recovered();
          buffer.poll();
          backoff = RETRY_FIRST;
        } catch (RuntimeException e) {
          outage.failed("records wait in the buffer, in order, and are offered again", e);
          long sleep = backoff.toMillis();
          if (closed) {
            sleep = Math.max(0, Math.min(sleep, (drainDeadline - System.nanoTime()) / 1_000_000));
          }
          Thread.sleep(sleep);
          backoff =
              backoff.multipliedBy(2).compareTo(RETRY_MOST) > 0
                  ? RETRY_MOST
                  : backoff.multipliedBy(2);
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Records still waiting for the sink. */
  public int waiting() {
    return buffer.size();
  }

  /**
   * Takes no more records, delivers those still waiting (for up to {@link #DEFAULT_CLOSE_TIMEOUT}),
   * then stops shipping.
   */
  @Override
  public void close() {
    close(DEFAULT_CLOSE_TIMEOUT);
  }

  /**
   * Takes no more records, delivers those still waiting for up to {@code timeout}, then stops
   * shipping; records the sink has not taken by then are logged as lost, with their number.
   *
   * @return whether every record was delivered
   */
  public boolean close(Duration timeout) {
    closing.writeLock().lock();
    try {
      if (!closed) {
        drainDeadline = System.nanoTime() + timeout.toNanos();
        closed = true;
      }
    } finally {
      closing.writeLock().unlock();
    }
    try {
      shipper.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (shipper.isAlive()) {
      // Stuck in the sink past the deadline.
      shipper.interrupt();
    }
    int left = buffer.size();
    if (left > 0) {
      log.warn(
          "Audit buffer {} closed with {} records the sink did not take within {}; they are lost",
          buffer.name(),
          left,
          timeout);
    }
    return left == 0;
  }
}
