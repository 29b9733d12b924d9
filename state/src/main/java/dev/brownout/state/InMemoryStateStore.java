package dev.brownout.state;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.spi.ChangeDelivery;
import dev.brownout.state.spi.ChangeDispatcher;
import dev.brownout.state.spi.StoreChecks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StateStore} in this process's memory: the embedded default, and the fake that unit tests
 * of the other modules use. Lost on restart and not shared between servers. Expiry follows the
 * injected clock; expired records are never served, and a background sweep removes them ({@code
 * brownout.state.memory.sweep-interval}). Watch events are delivered in order, on one notifier
 * thread, as a remote store would deliver them, from a bounded buffer ({@link
 * Builder#watchBuffer(int)}): a watcher too slow to keep up is told its feed was lost and
 * resynchronises, as after a remote store's outage, rather than the backlog growing without bound.
 */
public final class InMemoryStateStore implements StateStore {
  private static final Logger log = LoggerFactory.getLogger(InMemoryStateStore.class);

  private record Entry(
      Map<String, byte[]> fields, long version, @Nullable Instant expiresAt, long size) {
    boolean liveAt(Instant now) {
      return expiresAt == null || expiresAt.isAfter(now);
    }
  }

  private final BrownoutClock clock;
  private final long maxRecordBytes;
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Entry>> namespaces =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CopyOnWriteArrayList<WatchListener>> watchers =
      new ConcurrentHashMap<>();
  private final AtomicLong lastVersion = new AtomicLong();
  private final ChangeDispatcher notifier;
  private final ScheduledExecutorService sweeper;
  // Where each namespace's sweep left off, so each tick does a bounded amount of work.
  private final Map<String, Iterator<Map.Entry<String, Entry>>> sweepCursors = new HashMap<>();

  /** Records a sweep examines per namespace and tick at most. */
  static final int SWEEP_BATCH = 10_000;

  private InMemoryStateStore(Builder builder) {
    this.clock = builder.clock;
    this.maxRecordBytes = builder.maxRecordBytes;
    this.notifier =
        ChangeDispatcher.builder("brownout-memory-store-watch")
            .capacity(builder.watchBuffer)
            .metrics(builder.metrics)
            .build();
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("brownout-memory-store-sweep"));
    long every = builder.settings.get(StateConfig.MEMORY_SWEEP_INTERVAL).toMillis();
    sweeper.scheduleWithFixedDelay(this::sweepSafely, every, every, TimeUnit.MILLISECONDS);
  }

  private void sweepSafely() {
    try {
      removeExpired(SWEEP_BATCH);
    } catch (RuntimeException e) {
      log.warn("Sweeping expired records failed: {}; trying again at the next sweep", e.toString());
    }
  }

  /**
   * Removes expired records now, examining at most {@code batch} records per namespace and carrying
   * on from there the next time; the background sweep does this every {@code
   * brownout.state.memory.sweep-interval}. Expired records are never served either way.
   *
   * @return how many records were removed
   */
  public synchronized int removeExpired(int batch) {
    Instant now = clock.instant();
    int removed = 0;
    for (Map.Entry<String, ConcurrentHashMap<String, Entry>> namespace : namespaces.entrySet()) {
      Iterator<Map.Entry<String, Entry>> cursor = sweepCursors.get(namespace.getKey());
      if (cursor == null || !cursor.hasNext()) {
        cursor = namespace.getValue().entrySet().iterator();
        sweepCursors.put(namespace.getKey(), cursor);
      }
      for (int examined = 0; examined < batch && cursor.hasNext(); examined++) {
        Map.Entry<String, Entry> record = cursor.next();
        // remove(key, entry): an update that replaced the entry since it was read keeps it.
        if (!record.getValue().liveAt(now)
            && namespace.getValue().remove(record.getKey(), record.getValue())) {
          removed++;
        }
      }
    }
    return removed;
  }

  /** Records held, live or expired but not yet swept: for tests and diagnostics. */
  public long heldRecords() {
    long held = 0;
    for (ConcurrentHashMap<String, Entry> records : namespaces.values()) {
      held += records.size();
    }
    return held;
  }

  /** A store on the system clock with the default size limit. */
  public static InMemoryStateStore create() {
    return builder().build();
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String kind() {
    return "memory";
  }

  @Override
  public long maxRecordBytes() {
    return maxRecordBytes;
  }

  private ConcurrentHashMap<String, Entry> records(Namespace namespace) {
    return namespaces.computeIfAbsent(namespace.name(), name -> new ConcurrentHashMap<>());
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key) {
    StoreChecks.key(namespace, key);
    Entry entry = live(namespace, key);
    return entry == null
        ? Optional.empty()
        : Optional.of(new StateRecord(key, entry.fields(), entry.version(), entry.expiresAt()));
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
    StoreChecks.key(namespace, key);
    StoreChecks.fields(fields);
    Entry entry = live(namespace, key);
    if (entry == null) {
      return Optional.empty();
    }
    Map<String, byte[]> selected = new HashMap<>();
    for (String name : fields) {
      byte[] value = entry.fields().get(name);
      if (value != null) {
        selected.put(name, value);
      }
    }
    return Optional.of(new StateRecord(key, selected, entry.version(), entry.expiresAt()));
  }

  private @Nullable Entry live(Namespace namespace, String key) {
    Entry entry = records(namespace).get(key);
    return entry != null && entry.liveAt(clock.instant()) ? entry : null;
  }

  @Override
  public WriteResult update(Namespace namespace, String key, Update update) {
    StoreChecks.key(namespace, key);
    Objects.requireNonNull(update, "update");
    WriteResult[] result = new WriteResult[1];
    records(namespace)
        .compute(
            key,
            (k, existing) -> {
              Instant now = clock.instant();
              Entry current = existing != null && existing.liveAt(now) ? existing : null;
              check(namespace, key, update.precondition(), current);
              Map<String, byte[]> fields =
                  current == null ? new HashMap<>() : new HashMap<>(current.fields());
              long size = current == null ? 0 : current.size();
              for (String name : update.removes()) {
                byte[] old = fields.remove(name);
                if (old != null) {
                  size -= nameBytes(name) + old.length;
                }
              }
              for (Map.Entry<String, byte[]> set : update.sets().entrySet()) {
                byte[] old = fields.put(set.getKey(), set.getValue());
                if (old != null) {
                  size -= nameBytes(set.getKey()) + old.length;
                }
                size += nameBytes(set.getKey()) + set.getValue().length;
              }
              if (size > maxRecordBytes) {
                throw new RecordTooLargeException(
                    StoreChecks.tooLargeMessage(namespace, key, size, maxRecordBytes),
                    size,
                    maxRecordBytes);
              }
              Instant expiresAt =
                  switch (update.expiryChange()) {
                    case KEEP -> current == null ? null : current.expiresAt();
                    case SET -> update.expiresAt();
                    case PERSIST -> null;
                  };
              long version = current == null ? freshVersion(now) : current.version() + 1;
              result[0] = new WriteResult(version, current == null);
              if (namespace.watchable()) {
                notifyWatchers(new ChangeEvent(namespace.name(), key, version, update.origin()));
              }
              return new Entry(Map.copyOf(fields), version, expiresAt, size);
            });
    return result[0];
  }

  @Override
  public boolean delete(Namespace namespace, String key, Precondition precondition) {
    StoreChecks.key(namespace, key);
    StoreChecks.deletePrecondition(precondition);
    boolean[] deleted = new boolean[1];
    records(namespace)
        .compute(
            key,
            (k, existing) -> {
              Entry current =
                  existing != null && existing.liveAt(clock.instant()) ? existing : null;
              check(namespace, key, precondition, current);
              deleted[0] = current != null;
              if (current != null && namespace.watchable()) {
                notifyWatchers(new ChangeEvent(namespace.name(), key, -1));
              }
              return null;
            });
    return deleted[0];
  }

  @Override
  public List<StateRecord> list(Namespace namespace) {
    StoreChecks.listable(namespace);
    Instant now = clock.instant();
    List<StateRecord> live = new ArrayList<>();
    records(namespace)
        .forEach(
            (key, entry) -> {
              if (entry.liveAt(now)) {
                live.add(new StateRecord(key, entry.fields(), entry.version(), entry.expiresAt()));
              }
            });
    return live;
  }

  @Override
  public Watch watch(Namespace namespace, WatchListener listener) {
    StoreChecks.watchable(namespace);
    Objects.requireNonNull(listener, "listener");
    CopyOnWriteArrayList<WatchListener> list =
        watchers.computeIfAbsent(namespace.name(), name -> new CopyOnWriteArrayList<>());
    list.add(listener);
    return () -> list.remove(listener);
  }

  private void notifyWatchers(ChangeEvent event) {
    List<WatchListener> list = watchers.get(event.namespace());
    if (list != null) {
      ChangeDelivery.deliver(list, event, notifier);
    }
  }

  private static void check(
      Namespace namespace, String key, Precondition precondition, @Nullable Entry current) {
    boolean ok =
        switch (precondition.kind()) {
          case NONE -> true;
          case ABSENT -> current == null;
          case PRESENT -> current != null;
          case VERSION_EQUALS -> current != null && current.version() == precondition.version();
        };
    if (!ok) {
      long version = current == null ? -1 : current.version();
      throw new PreconditionFailedException(
          StoreChecks.preconditionMessage(namespace, key, precondition, version), version);
    }
  }

  /** A version for a new record: the clock in microseconds, never repeating within this store. */
  private long freshVersion(Instant now) {
    long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    return lastVersion.accumulateAndGet(micros, (last, candidate) -> Math.max(last + 1, candidate));
  }

  private static int nameBytes(String name) {
    return name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  @Override
  public void close() {
    notifier.shutdown();
    sweeper.shutdownNow();
  }

  @Override
  public String toString() {
    return "InMemoryStateStore[" + namespaces.keySet() + "]";
  }

  /** Builds an {@link InMemoryStateStore}. Not thread-safe. */
  public static final class Builder {
    private final Settings settings = Settings.of(List.of(StateConfig.MEMORY_SWEEP_INTERVAL));
    private BrownoutClock clock = BrownoutClock.system();
    private long maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
    private int watchBuffer = ChangeDispatcher.DEFAULT_CAPACITY;
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();

    private Builder() {}

    /** The clock that decides expiry. Default: the system clock. */
    public Builder clock(BrownoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The largest record accepted. Default {@value StateStore#DEFAULT_MAX_RECORD_BYTES}. */
    public Builder maxRecordBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxRecordBytes must be positive but was " + bytes);
      }
      this.maxRecordBytes = bytes;
      return this;
    }

    /**
     * How often expired records are removed ({@code brownout.state.memory.sweep-interval}). Default
     * 5 seconds.
     */
    public Builder sweepInterval(Duration interval) {
      settings.set(StateConfig.MEMORY_SWEEP_INTERVAL, interval);
      return this;
    }

    /**
     * The most change notifications that wait for slow watchers; beyond it they are dropped and
     * their watchers told their feed was lost, then to resynchronise. Default {@value
     * ChangeDispatcher#DEFAULT_CAPACITY}.
     */
    public Builder watchBuffer(int changes) {
      if (changes < 1) {
        throw new IllegalArgumentException("watchBuffer must be positive but was " + changes);
      }
      this.watchBuffer = changes;
      return this;
    }

    /** Where the watch buffer's meters ({@code brownout.buffer.*}) go. Default: in memory. */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** Reads {@code brownout.state.memory.*} from {@code config}; setters win. */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    /** Builds the store. */
    public InMemoryStateStore build() {
      return new InMemoryStateStore(this);
    }
  }
}
