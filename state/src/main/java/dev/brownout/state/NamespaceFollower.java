package dev.brownout.state;

import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.internal.OutageLog;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an in-memory view in step with a watchable namespace: it watches the namespace (and keeps
 * trying to register the watch while the store is unreachable), hands each change to the owner,
 * asks for a full re-read after a resynchronisation, and every interval as a safety net. All of it
 * runs on one thread of its own, in order, which the owner can also use with {@link
 * #execute(Runnable)}.
 */
public final class NamespaceFollower implements AutoCloseable {
  /** What the follower asks of its owner. */
  @FunctionalInterface
  public interface Owner {
    /** Re-read everything the view holds from the namespace. */
    void refreshAll();

    /** One record changed; by default, re-read everything. */
    default void changed(ChangeEvent event) {
      refreshAll();
    }
  }

  private static final Logger log = LoggerFactory.getLogger(NamespaceFollower.class);

  private final StateStore store;
  private final Namespace namespace;
  private final Owner owner;
  private final Duration interval;
  private final ScheduledExecutorService thread;
  private volatile @Nullable Watch watch;
  private final OutageLog outage;

  /**
   * A follower of {@code namespace}, not started yet: the owner usually reads the namespace once
   * itself first, then calls {@link #start()}.
   */
  public NamespaceFollower(
      StateStore store, Namespace namespace, Duration interval, String threadName, Owner owner) {
    this.store = Objects.requireNonNull(store, "store");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
    this.owner = Objects.requireNonNull(owner, "owner");
    if (interval.toMillis() < 10) {
      throw new IllegalArgumentException(
          "refresh interval must be at least 10ms but was " + interval);
    }
    this.interval = interval;
    this.thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named(threadName));
    this.outage =
        new OutageLog(log, "Watch of " + namespace + " in the " + store.kind() + " store");
  }

  /** Starts watching, and the periodic refresh. */
  public void start() {
    watch();
    long millis = interval.toMillis();
    thread.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Runs {@code task} on the follower's thread, after what is already queued there. */
  public void execute(Runnable task) {
    thread.execute(task);
  }

  private void tick() {
    watch();
    owner.refreshAll();
  }

  private void watch() {
    if (watch != null) {
      return;
    }
    try {
      watch =
          store.watch(
              namespace,
              new WatchListener() {
                @Override
                public void onChange(ChangeEvent event) {
                  thread.execute(() -> owner.changed(event));
                }

                @Override
                public void onResync() {
                  thread.execute(owner::refreshAll);
                }
              });
      outage.recovered();
    } catch (StateException e) {
      outage.failed(
          "changes from other servers arrive with the refresh every " + interval + " until then",
          e);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    Watch registered = watch;
    if (registered != null) {
      registered.close();
    }
  }
}
