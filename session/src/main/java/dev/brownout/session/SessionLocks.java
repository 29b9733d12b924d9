package dev.brownout.session;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.StateException;
import dev.brownout.state.StateStore;
import dev.brownout.state.Update;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lease locks for {@link ConcurrencyMode#LOCK}: a lock is a record created only if absent, with an
 * expiry, so a server that dies holding one blocks nobody for longer than the lease; it is released
 * by deleting exactly the version this holder created, so a holder whose lease ran out cannot
 * release a successor's lock.
 */
final class SessionLocks {
  private static final Logger log = LoggerFactory.getLogger(SessionLocks.class);

  /** A held lock. */
  record Lock(String id, long version) {}

  private final StateStore store;
  private final BrownoutClock clock;
  private final BrownoutMetrics metrics;
  private final Duration wait;
  private final Duration lease;

  SessionLocks(
      StateStore store,
      BrownoutClock clock,
      BrownoutMetrics metrics,
      Duration wait,
      Duration lease) {
    this.store = store;
    this.clock = clock;
    this.metrics = metrics;
    this.wait = wait;
    this.lease = lease;
  }

  /**
   * Takes the lock of session {@code id}, waiting at most the configured wait.
   *
   * @return the lock, or empty if the wait ran out
   * @throws StateException if the store cannot be reached
   */
  Optional<Lock> acquire(String id) {
    long start = System.nanoTime();
    long deadline = start + wait.toNanos();
    long pause = 2;
    while (true) {
      try {
        long version =
            store
                .update(
                    SessionRepository.LOCKS,
                    id,
                    Update.builder()
                        .set("held", "1")
                        .expireAt(clock.instant().plus(lease))
                        .precondition(Precondition.absent())
                        .build())
                .version();
        metrics
            .timer(SessionMetrics.LOCK_WAIT, "acquired")
            .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return Optional.of(new Lock(id, version));
      } catch (PreconditionFailedException held) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          metrics
              .timer(SessionMetrics.LOCK_WAIT, "timeout")
              .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
          return Optional.empty();
        }
        try {
          Thread.sleep(Math.min(pause, TimeUnit.NANOSECONDS.toMillis(left) + 1));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
        pause = Math.min(pause * 2, 50);
      }
    }
  }

  /** Releases a lock; a lock that expired and was taken by another is left alone. */
  void release(Lock lock) {
    try {
      store.delete(SessionRepository.LOCKS, lock.id(), Precondition.versionEquals(lock.version()));
    } catch (PreconditionFailedException e) {
      log.debug("Session lock had expired before release; another holder has it now");
    } catch (StateException e) {
      log.warn("Cannot release a session lock; it expires by itself after {}", lease, e);
    }
  }
}
