package dev.brownout.core.internal;

import dev.brownout.core.time.BrownoutClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * How Brownout logs a dependency that fails: one WARN line when it starts failing, one summary line
 * per interval with counts while it stays down, and one INFO line when it answers again, instead of
 * a line per failed call (dozens a second in an outage, which hide everything else in the log).
 *
 * <pre>
 * WARN  Session store unreachable: Redis did not answer within 500ms; requests fail closed (503)
 * WARN  Session store still unreachable: 1 240 failures in the last 30s; requests fail closed (503); last: …
 * INFO  Session store answers again after 1m12s and 2 961 failures
 * </pre>
 *
 * Thread-safe; cheap on the failing path (a lock and a clock read, no formatting between
 * summaries).
 */
public final class OutageLog {
  /** The default interval between summary lines. */
  public static final Duration DEFAULT_SUMMARY_INTERVAL = Duration.ofSeconds(30);

  private final Logger log;
  private final String dependency;
  private final BrownoutClock clock;
  private final Duration summaryInterval;
  private volatile @Nullable Instant downSince;
  private @Nullable Instant lastLine;
  private long failures;
  private long failuresSinceLine;
  private @Nullable String lastError;

  /**
   * A log for {@code dependency} ({@code "Session store"}, {@code "Flag store"}), written to {@code
   * log}.
   */
  public OutageLog(Logger log, String dependency, BrownoutClock clock, Duration summaryInterval) {
    this.log = Objects.requireNonNull(log, "log");
    this.dependency = Objects.requireNonNull(dependency, "dependency");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.summaryInterval = Objects.requireNonNull(summaryInterval, "summaryInterval");
  }

  /** A log with the system clock and a summary every {@link #DEFAULT_SUMMARY_INTERVAL}. */
  public OutageLog(Logger log, String dependency) {
    this(log, dependency, BrownoutClock.system(), DEFAULT_SUMMARY_INTERVAL);
  }

  /**
   * A call on the dependency failed.
   *
   * @param consequence what the application does about it, such as {@code "serving the last known
   *     flags"}
   */
  public void failed(String consequence, Throwable error) {
    failed(consequence, String.valueOf(error.getMessage()));
  }

  /** A call on the dependency failed, for {@code reason}. */
  public void failed(String consequence, String reason) {
    Instant now = clock.instant();
    String line = null;
    long count = 0;
    Duration window = null;
    synchronized (this) {
      failures++;
      failuresSinceLine++;
      lastError = reason;
      if (downSince == null) {
        downSince = now;
        lastLine = now;
        failuresSinceLine = 0;
        line = "first";
      } else if (lastLine != null && !now.isBefore(lastLine.plus(summaryInterval))) {
        count = failuresSinceLine;
        window = Duration.between(lastLine, now);
        lastLine = now;
        failuresSinceLine = 0;
        line = "summary";
      }
    }
    if ("first".equals(line)) {
      log.warn("{} unreachable: {}; {}", dependency, reason, consequence);
    } else if (line != null) {
      log.warn(
          "{} still unreachable: {} failures in the last {}; {}; last: {}",
          dependency,
          count,
          human(window),
          consequence,
          reason);
    }
  }

  /** A call on the dependency worked; logs the recovery if it was down. */
  public void recovered() {
    if (downSince == null) {
      // Unsynchronised fast path: the common case is a healthy dependency.
      return;
    }
    Instant since;
    long total;
    synchronized (this) {
      if (downSince == null) {
        return;
      }
      since = downSince;
      total = failures;
      downSince = null;
      lastLine = null;
      failures = 0;
      failuresSinceLine = 0;
      lastError = null;
    }
    log.info(
        "{} answers again after {} and {} failures",
        dependency,
        human(Duration.between(since, clock.instant())),
        total);
  }

  /** Whether the dependency is failing now, as far as this log has been told. */
  public synchronized boolean down() {
    return downSince != null;
  }

  /** Failures since the dependency went down; 0 while it is up. */
  public synchronized long failures() {
    return failures;
  }

  /** The last failure's reason, while down. */
  public synchronized @Nullable String lastError() {
    return lastError;
  }

  private static String human(@Nullable Duration duration) {
    if (duration == null) {
      return "0s";
    }
    long seconds = duration.toSeconds();
    if (seconds < 60) {
      return duration.toMillis() < 1000 ? duration.toMillis() + "ms" : seconds + "s";
    }
    long minutes = seconds / 60;
    return minutes < 60
        ? minutes + "m" + (seconds % 60) + "s"
        : (minutes / 60) + "h" + (minutes % 60) + "m";
  }
}
