package dev.brownout.degrade;

import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.AuditSink;
import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.internal.OutageLog;
import dev.brownout.core.metrics.BrownoutMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships audit records to a slow sink (a remote log service, a SIEM) from a {@link BoundedBuffer},
 * on a thread of its own, so a change never waits for the network. The buffer blocks ({@link
 * BoundedBuffer.Policy#BLOCK}) for a moment when full and then refuses the record by throwing, so
 * the admin API's audit trail keeps it and delivers it again: no record is dropped, and a sink that
 * stays down ends in changes being refused rather than in lost records. Records reach the sink in
 * order; one it refuses is offered again, with backoff, before any later one.
 */
public final class BufferedAuditSink implements AuditSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BufferedAuditSink.class);
  private static final Duration RETRY_FIRST = Duration.ofMillis(100);
  private static final Duration RETRY_MOST = Duration.ofSeconds(10);

  private final AuditSink delegate;
  private final BoundedBuffer<AuditRecord> buffer;
  private final Thread shipper;
  private final OutageLog outage;
  private volatile boolean closed;

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
    if (closed || !buffer.offer(record)) {
      throw new IllegalStateException(
          "audit buffer "
              + buffer.name()
              + " is full ("
              + buffer.capacity()
              + " records wait for a sink that is slow or down); the record was not taken");
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
    while (!closed) {
      try {
        if (!buffer.awaitItem(200, TimeUnit.MILLISECONDS)) {
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
          Thread.sleep(backoff.toMillis());
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

  /** Stops shipping; records still waiting are not delivered. */
  @Override
  public void close() {
    closed = true;
    shipper.interrupt();
  }
}
