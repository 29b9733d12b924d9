package dev.brownout.degrade;

import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.metrics.BrownoutMetrics;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads synchronous {@link Timeout} attempts run on, bounded: an attempt holds a permit from
 * the moment it starts until its thread really finishes, not until its caller stops waiting, so a
 * vendor that hangs in blocking I/O, deaf to interrupts, holds at most {@code maxThreads} threads;
 * calls beyond that are refused at once with {@link CallRejectedException}. Virtual threads where
 * the JDK has them. Also the one scheduler that asynchronous timeouts and retry waits use, so
 * waiting holds no thread at all.
 */
final class TimeoutThreads implements AutoCloseable {
  private final int maxThreads;
  private final Semaphore permits;
  private final ExecutorService workers;
  private final ScheduledThreadPoolExecutor scheduler;
  private final AtomicInteger inUse = new AtomicInteger();
  private final AtomicInteger peak = new AtomicInteger();
  private final BrownoutMetrics metrics;

  TimeoutThreads(int maxThreads, BrownoutMetrics metrics) {
    this.maxThreads = maxThreads;
    this.permits = new Semaphore(maxThreads);
    this.metrics = metrics;
    this.workers =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            10,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            DaemonThreads.virtualIfAvailable("brownout-timeout"));
    this.scheduler = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("brownout-timer"));
    scheduler.setRemoveOnCancelPolicy(true);
    metrics.gauge(ResilienceMeters.TIMEOUT_THREADS, inUse, AtomicInteger::get);
  }

  /** For delays that must not hold a thread: asynchronous timeouts, retry waits. */
  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** Attempts running now, including abandoned ones. */
  int inUse() {
    return inUse.get();
  }

  /** The most attempts that ran at once. */
  int peak() {
    return peak.get();
  }

  int maxThreads() {
    return maxThreads;
  }

  /**
   * Runs {@code attempt} on a timeout thread, with the caller's context, and waits at most {@code
   * millis} for it.
   *
   * @throws CallTimeoutException if it did not finish in time (it is interrupted, and keeps its
   *     thread until it really ends)
   * @throws CallRejectedException if every thread is held
   */
  Object run(String operation, long millis, Callable<Object> attempt) throws Throwable {
    if (!permits.tryAcquire()) {
      metrics.counter(ResilienceMeters.TIMEOUT_REJECTED, operation).increment();
      throw new CallRejectedException(
          operation
              + " was refused at once: all "
              + maxThreads
              + " timeout threads are held by calls that have not come back"
              + " (brownout.degrade.timeout.max-threads)");
    }
    peak.accumulateAndGet(inUse.incrementAndGet(), Math::max);
    CallContext context = CallContext.capture();
    Future<Object> running;
    try {
      running =
          workers.submit(
              () -> {
                try {
                  return context.call(attempt);
                } finally {
                  inUse.decrementAndGet();
                  permits.release();
                }
              });
    } catch (RuntimeException e) {
      inUse.decrementAndGet();
      permits.release();
      throw e;
    }
    try {
      return running.get(millis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      running.cancel(true);
      metrics.counter(ResilienceMeters.TIMEOUTS, operation).increment();
      throw new CallTimeoutException(operation, millis);
    } catch (InterruptedException e) {
      running.cancel(true);
      Thread.currentThread().interrupt();
      throw e;
    } catch (ExecutionException e) {
      throw Calls.unwrap(e);
    }
  }

  @Override
  public void close() {
    workers.shutdownNow();
    scheduler.shutdownNow();
  }
}
