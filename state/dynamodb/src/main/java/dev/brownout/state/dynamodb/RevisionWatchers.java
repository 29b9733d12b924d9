package dev.brownout.state.dynamodb;

import static dev.brownout.state.dynamodb.RecordItems.n;

import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.internal.OutageLog;
import dev.brownout.state.ChangeEvent;
import dev.brownout.state.Namespace;
import dev.brownout.state.StateException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.Watch;
import dev.brownout.state.WatchListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The store's watchers, fed by polling: each small namespace has a revision item that every change
 * bumps, and each watched namespace a poller that reads it every interval (with jitter, so servers
 * do not poll in step) and compares the namespace's versions when it moved. DynamoDB has no push
 * short of Streams, and one small read per interval is cheap.
 */
final class RevisionWatchers {
  // The store's logger, not this class's: the store is what operators set log levels for.
  private static final Logger log = LoggerFactory.getLogger(DynamoDbStateStore.class);
  private static final Duration FULL_RESYNC = Duration.ofSeconds(30);
  private static final Duration MAX_BUMP_DELAY = Duration.ofSeconds(30);

  private final TableClient table;
  private final ConsistentReads reads;
  private final Duration pollInterval;
  private final ScheduledExecutorService poller =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("brownout-dynamodb-watch"));
  private final ConcurrentHashMap<String, Poller> pollers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Namespace> pendingBumps = new ConcurrentHashMap<>();
  private final OutageLog bumps;

  RevisionWatchers(TableClient table, ConsistentReads reads, Duration pollInterval) {
    this.table = table;
    this.reads = reads;
    this.pollInterval = pollInterval;
    this.bumps = new OutageLog(log, "Namespace revisions in dynamodb table " + table.name());
  }

  /**
   * Bumps the revision of a small namespace after a change to it. If the bump fails, the change is
   * made but other servers would not hear of it until their next full comparison: the bump is
   * retried in the background, every poll interval and then less often, until it lands, and the
   * outage is logged (once, then in summaries). While one is due, later changes need none of their
   * own: the retry comes after them.
   */
  void changed(Namespace namespace) {
    if (!namespace.small() || pendingBumps.containsKey(namespace.name())) {
      return;
    }
    try {
      bump(namespace);
      bumps.recovered();
    } catch (StateException e) {
      owe(namespace, e, pollInterval);
    }
  }

  private void owe(Namespace namespace, StateException failure, Duration delay) {
    bumps.failed(
        "changes to "
            + namespace
            + " reach other servers once a retry lands (next in "
            + delay.toMillis()
            + " ms) or at their next full comparison",
        failure);
    if (pendingBumps.putIfAbsent(namespace.name(), namespace) == null && !poller.isShutdown()) {
      try {
        poller.schedule(() -> retryBump(namespace, delay), delay.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        // The store is closing; other servers catch up at their next full comparison.
      }
    }
  }

  private void retryBump(Namespace namespace, Duration delay) {
    // Off the list before the bump, so a change made while it is in flight bumps for itself.
    pendingBumps.remove(namespace.name());
    try {
      bump(namespace);
      bumps.recovered();
    } catch (StateException e) {
      Duration next =
          delay.multipliedBy(2).compareTo(MAX_BUMP_DELAY) > 0
              ? MAX_BUMP_DELAY
              : delay.multipliedBy(2);
      owe(namespace, e, next);
    }
  }

  /** The namespaces whose revision bump is still owed to other servers' watchers. */
  Set<String> owedBumps() {
    return Set.copyOf(pendingBumps.keySet());
  }

  /** Runs {@code task} once on the watchers' thread, soon (the start-up checks). */
  void background(Runnable task) {
    poller.execute(task);
  }

  private void bump(Namespace namespace) {
    table.call(
        "watch",
        namespace,
        "#rev",
        () ->
            table
                .client()
                .updateItem(
                    UpdateItemRequest.builder()
                        .tableName(table.name())
                        .key(RecordItems.revisionKey(namespace))
                        .updateExpression("ADD #r :one")
                        .expressionAttributeNames(Map.of("#r", "rev"))
                        .expressionAttributeValues(Map.of(":one", n(1)))
                        .build()));
  }

  private long revision(Namespace namespace) {
    Map<String, AttributeValue> item =
        table.call(
            "watch",
            namespace,
            "#rev",
            () ->
                table
                    .client()
                    .getItem(
                        GetItemRequest.builder()
                            .tableName(table.name())
                            .key(RecordItems.revisionKey(namespace))
                            .consistentRead(true)
                            .build())
                    .item());
    return item == null || !item.containsKey("rev") ? 0 : Long.parseLong(item.get("rev").n());
  }

  /** Adds {@code listener} to a small namespace's poller, starting one if it is the first. */
  Watch watch(Namespace namespace, WatchListener listener) {
    if (!namespace.small()) {
      throw new IllegalArgumentException(
          "the dynamodb store watches small namespaces only; "
              + namespace
              + " is large (watching it would need DynamoDB Streams)");
    }
    Poller watcher;
    synchronized (pollers) {
      watcher = pollers.get(namespace.name());
      if (watcher == null) {
        watcher = new Poller(namespace);
        pollers.put(namespace.name(), watcher);
        watcher.schedule();
      }
      watcher.listeners.add(listener);
    }
    Poller registered = watcher;
    return () -> {
      synchronized (pollers) {
        registered.listeners.remove(listener);
        if (registered.listeners.isEmpty()) {
          registered.stopped = true;
          pollers.remove(namespace.name(), registered);
        }
      }
    };
  }

  /** Stops every poller. */
  void close() {
    poller.shutdownNow();
  }

  /**
   * Polls one namespace: its revision every interval, everything when it changed or now and then.
   */
  private final class Poller {
    final Namespace namespace;
    final CopyOnWriteArrayList<WatchListener> listeners = new CopyOnWriteArrayList<>();
    long revision;
    Map<String, Long> versions;
    long lastFull;
    boolean failing;
    volatile boolean stopped;

    Poller(Namespace namespace) {
      this.namespace = namespace;
      this.revision = revision(namespace);
      this.versions = snapshot();
      this.lastFull = System.nanoTime();
    }

    Map<String, Long> snapshot() {
      Map<String, Long> snapshot = new HashMap<>();
      for (StateRecord record : reads.list(namespace)) {
        snapshot.put(record.key(), record.version());
      }
      return snapshot;
    }

    void schedule() {
      if (stopped || poller.isShutdown()) {
        return;
      }
      long base = pollInterval.toMillis();
      long delay = base * 8 / 10 + ThreadLocalRandom.current().nextLong(base * 4 / 10 + 1);
      poller.schedule(this::poll, delay, TimeUnit.MILLISECONDS);
    }

    void poll() {
      try {
        long current = revision(namespace);
        boolean full = System.nanoTime() - lastFull > FULL_RESYNC.toNanos();
        if (failing) {
          failing = false;
          log.info(
              "The dynamodb table {} answers again; watchers of {} resynchronise",
              table.name(),
              namespace);
          listeners.forEach(listener -> safely(listener::onResync));
          full = true;
        }
        if (current != revision || full) {
          Map<String, Long> now = snapshot();
          revision = current;
          lastFull = System.nanoTime();
          List<ChangeEvent> events = new ArrayList<>();
          now.forEach(
              (key, version) -> {
                if (!version.equals(versions.get(key))) {
                  events.add(new ChangeEvent(namespace.name(), key, version));
                }
              });
          versions.keySet().stream()
              .filter(key -> !now.containsKey(key))
              .forEach(key -> events.add(new ChangeEvent(namespace.name(), key, -1)));
          versions = now;
          for (ChangeEvent event : events) {
            listeners.forEach(listener -> safely(() -> listener.onChange(event)));
          }
        }
      } catch (StateException e) {
        if (!failing) {
          failing = true;
          // Changes are not seen until a poll answers again: what watchers keep may go stale.
          listeners.forEach(listener -> safely(listener::onFeedLost));
          log.warn(
              "Cannot poll namespace {} of dynamodb table {}: {}; servers keep what they have until it answers",
              namespace,
              table.name(),
              e.getMessage());
        }
      } catch (RuntimeException e) {
        log.warn("Polling namespace {} failed", namespace, e);
      } finally {
        schedule();
      }
    }

    private void safely(Runnable action) {
      try {
        action.run();
      } catch (RuntimeException e) {
        log.warn("A watcher of namespace {} failed", namespace, e);
      }
    }
  }
}
