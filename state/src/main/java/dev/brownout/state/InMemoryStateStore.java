package dev.brownout.state;

import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.internal.ChangeDelivery;
import dev.brownout.state.internal.StateChecks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StateStore} in this process's memory: the embedded default, and the fake that unit tests
 * of the other modules use. Lost on restart and not shared between servers. Expiry follows the
 * injected clock. Watch events are delivered in order, on one notifier thread, as a remote store
 * would deliver them.
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
  private final ExecutorService notifier;

  private InMemoryStateStore(Builder builder) {
    this.clock = builder.clock;
    this.maxRecordBytes = builder.maxRecordBytes;
    this.notifier =
        Executors.newSingleThreadExecutor(DaemonThreads.named("brownout-memory-store-watch"));
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
    StateChecks.key(namespace, key);
    Entry entry = live(namespace, key);
    return entry == null
        ? Optional.empty()
        : Optional.of(new StateRecord(key, entry.fields(), entry.version(), entry.expiresAt()));
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
    StateChecks.key(namespace, key);
    StateChecks.fields(fields);
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
    StateChecks.key(namespace, key);
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
                    StateChecks.tooLargeMessage(namespace, key, size, maxRecordBytes),
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
    StateChecks.key(namespace, key);
    StateChecks.deletePrecondition(precondition);
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
    StateChecks.listable(namespace);
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
    StateChecks.watchable(namespace);
    Objects.requireNonNull(listener, "listener");
    CopyOnWriteArrayList<WatchListener> list =
        watchers.computeIfAbsent(namespace.name(), name -> new CopyOnWriteArrayList<>());
    list.add(listener);
    return () -> list.remove(listener);
  }

  private void notifyWatchers(ChangeEvent event) {
    List<WatchListener> list = watchers.get(event.namespace());
    if (list != null) {
      ChangeDelivery.deliver(list, event, notifier, log);
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
          StateChecks.preconditionMessage(namespace, key, precondition, version), version);
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
  }

  @Override
  public String toString() {
    return "InMemoryStateStore[" + namespaces.keySet() + "]";
  }

  /** Builds an {@link InMemoryStateStore}. */
  public static final class Builder {
    private BrownoutClock clock = BrownoutClock.system();
    private long maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;

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

    /** Builds the store. */
    public InMemoryStateStore build() {
      return new InMemoryStateStore(this);
    }
  }
}
