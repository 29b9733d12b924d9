package dev.brownout.state;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.metrics.MeterSpec;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.spi.RecordFields;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded in-process cache of records in front of any store (Caffeine), so a read that hits costs
 * no call to the server.
 *
 * <p>Freshness:
 *
 * <ul>
 *   <li>a <b>watchable</b> namespace is cached, and kept fresh by the store's change notifications:
 *       a change made by any server evicts the entry unless the cache already holds that version or
 *       a newer one; a resynchronisation evicts the whole namespace;
 *   <li>any other namespace is cached only if {@link Builder#staleAfter(Duration)} is set, and then
 *       an entry is served for at most that long;
 *   <li>a write through this cache updates the entry when it knows the exact previous version, and
 *       evicts it otherwise; a failed write leaves it untrusted (read again; kept only as the
 *       fallback below). Writes are tagged with this cache's {@link Update#origin() origin}, so
 *       their change notifications, which only repeat what the cache already knows, are left out by
 *       the store (Redis, in-memory) or ignored when they arrive; with many sessions saved on one
 *       server, that is most of the notification traffic;
 *   <li>a read's result is cached only if no change to its key was announced while the read was in
 *       flight, so a change cannot be lost between the read and the caching (changes are counted
 *       per stripe of keys; other keys of the namespace changing all the time do not matter).
 * </ul>
 *
 * <p>While a namespace's change feed is down ({@link WatchListener#onFeedLost()}), its entries are
 * not trusted: every read goes to the store, and nothing read is cached, until the feed is back and
 * re-subscribed and the store has said so ({@link WatchListener#onResync()}), which evicts the
 * whole namespace. If the store fails such a read, the entry is served only when {@link
 * Builder#serveStaleWhenDown(boolean)} is set (the session module's "serve cached" policy);
 * otherwise the failure is thrown. With {@link Builder#validateOnHit(String)}, every hit first
 * reads one small field and compares versions, for records read on several servers without sticky
 * routing.
 *
 * <p>A watchable namespace the store cannot watch (DynamoDB watches small namespaces only) is read
 * through, with one warning. Metrics: {@code brownout.state.near_cache.requests} by namespace and
 * result (hit, miss, bypass, untrusted, validated, stale-served) and {@code
 * brownout.state.near_cache.stale} by namespace.
 */
public final class NearCache extends ForwardingStateStore {
  /** Reads by namespace and result. */
  public static final MeterSpec REQUESTS =
      MeterSpec.counter(
          "brownout.state.near_cache.requests",
          "Reads through the near cache: hit (no server call), miss, bypass (namespace not"
              + " cached), untrusted (feed down: read from the store), validated (hit checked by"
              + " one field read), stale-served (feed and store down: entry served anyway).",
          "namespace",
          "result");

  /** Entries evicted because another write or server changed them. */
  public static final MeterSpec STALE =
      MeterSpec.counter(
          "brownout.state.near_cache.stale",
          "Near-cache entries evicted because the record changed elsewhere (stale).",
          "namespace");

  private static final Logger log = LoggerFactory.getLogger(NearCache.class);

  private record CacheKey(String namespace, String key) {}

  /**
   * A cached read: the record, or null for "absent". An entry whose write failed is kept untrusted:
   * never a hit (the write may have landed), only what a failing read can fall back on when stale
   * entries may be served.
   */
  private record Entry(@Nullable StateRecord record, boolean trusted) {
    Entry(@Nullable StateRecord record) {
      this(record, true);
    }
  }

  private final Cache<CacheKey, Entry> cache;
  private final @Nullable Duration staleAfter;
  private final BrownoutClock clock;
  private final BrownoutMetrics metrics;
  private final ConcurrentHashMap<String, Changes> changeCounts = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Watch> watches = new ConcurrentHashMap<>();
  private final Set<String> unwatchable = ConcurrentHashMap.newKeySet();
  // Namespaces whose change feed is down: their entries may be stale, so reads go to the store.
  private final Set<String> untrusted = ConcurrentHashMap.newKeySet();
  private final @Nullable String validateField;
  private final boolean serveStaleWhenDown;
  private final ConcurrentHashMap<String, Map<String, Counter>> counters =
      new ConcurrentHashMap<>();
  private final String origin = newOrigin();
  private final int maximumSize;

  private NearCache(Builder builder) {
    super(builder.store);
    this.staleAfter = builder.settings.find(StateConfig.NEAR_CACHE_STALE_AFTER).orElse(null);
    this.clock = builder.clock;
    this.metrics = builder.metrics;
    this.maximumSize = builder.settings.get(StateConfig.NEAR_CACHE_MAXIMUM_SIZE);
    this.validateField = builder.validateField;
    this.serveStaleWhenDown = builder.serveStaleWhenDown;
    Caffeine<Object, Object> caffeine =
        Caffeine.newBuilder()
            .maximumSize(builder.settings.get(StateConfig.NEAR_CACHE_MAXIMUM_SIZE));
    if (staleAfter != null) {
      caffeine.expireAfterWrite(staleAfter).ticker(clock::nanoTime);
    }
    this.cache = caffeine.build();
  }

  /** 128 random bits: another server taking this cache's changes for its own would go stale. */
  private static String newOrigin() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return "near-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The most entries kept; for tests. */
  int maximumSize() {
    return maximumSize;
  }

  /** Starts a builder for a cache in front of {@code store}. */
  public static Builder builder(StateStore store) {
    return new Builder(store);
  }

  /** The number of cached entries, approximately. */
  public long size() {
    return cache.estimatedSize();
  }

  private boolean cached(Namespace namespace) {
    if (!namespace.watchable()) {
      return staleAfter != null;
    }
    if (watches.containsKey(namespace.name())) {
      return true;
    }
    synchronized (watches) {
      if (watches.containsKey(namespace.name())) {
        return true;
      }
      if (unwatchable.contains(namespace.name())) {
        return false;
      }
      try {
        watches.put(namespace.name(), delegate().watch(namespace, new Invalidator(namespace)));
        return true;
      } catch (IllegalArgumentException e) {
        // This store cannot watch such a namespace at all: read it through, and say so once.
        unwatchable.add(namespace.name());
        log.warn("Near cache off for namespace {}: {}", namespace, e.getMessage());
        return false;
      } catch (StateException e) {
        // Without notifications the cache cannot stay fresh: read through until the store answers.
        log.debug("Cannot watch {} yet; reading through", namespace, e);
        return false;
      }
    }
  }

  private Changes changes(Namespace namespace) {
    Changes changes = changeCounts.get(namespace.name());
    return changes != null
        ? changes
        : changeCounts.computeIfAbsent(namespace.name(), name -> new Changes());
  }

  /**
   * Changes announced in one namespace, counted per stripe of keys: a read in flight checks only
   * its key's stripe, so other keys changing all the time (many sessions being saved) do not keep
   * every read from being cached.
   */
  private static final class Changes {
    private static final int STRIPES = 1024;
    private final AtomicLongArray counts = new AtomicLongArray(STRIPES);

    static int stripe(String key) {
      int h = key.hashCode();
      return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    long count(int stripe) {
      return counts.get(stripe);
    }

    void changed(String key) {
      counts.incrementAndGet(stripe(key));
    }

    /**
     * Every key may have changed: no read or write in flight caches what it saw. Counted as two
     * changes, so a write cannot take it for its own announcement.
     */
    void changedAll() {
      for (int i = 0; i < STRIPES; i++) {
        counts.addAndGet(i, 2);
      }
    }
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key) {
    if (!cached(namespace)) {
      count(namespace, "bypass");
      return super.read(namespace, key);
    }
    CacheKey cacheKey = new CacheKey(namespace.name(), key);
    Entry entry = cache.getIfPresent(cacheKey);
    if (untrusted.contains(namespace.name())) {
      return readUntrusted(namespace, key, entry);
    }
    if (entry != null && entry.trusted()) {
      if (validateField == null) {
        count(namespace, "hit");
        return live(entry.record());
      }
      if (current(namespace, key, cacheKey, entry)) {
        return live(entry.record());
      }
    } else {
      count(namespace, "miss");
    }
    Changes changes = changes(namespace);
    int stripe = Changes.stripe(key);
    long before = changes.count(stripe);
    Optional<StateRecord> record;
    try {
      record = super.read(namespace, key);
    } catch (StateException e) {
      if (entry == null || !serveStaleWhenDown) {
        throw e;
      }
      count(namespace, "stale-served");
      return live(entry.record());
    }
    if (changes.count(stripe) == before) {
      cache.put(cacheKey, new Entry(record.orElse(null)));
    }
    return record;
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
    Entry entry =
        cached(namespace) && !untrusted.contains(namespace.name()) && validateField == null
            ? cache.getIfPresent(new CacheKey(namespace.name(), key))
            : null;
    if (entry == null || !entry.trusted()) {
      count(namespace, cached(namespace) ? "miss" : "bypass");
      return super.read(namespace, key, fields);
    }
    count(namespace, "hit");
    return live(entry.record())
        .map(
            record -> {
              Map<String, byte[]> selected = new HashMap<>();
              for (String name : fields) {
                record.field(name).ifPresent(value -> selected.put(name, value));
              }
              return new StateRecord(
                  key, selected, record.version(), record.expiresAt().orElse(null));
            });
  }

  /**
   * A read while the namespace's feed is down: from the store, cached by nobody; the entry only if
   * the store fails too and stale entries may then be served.
   */
  private Optional<StateRecord> readUntrusted(
      Namespace namespace, String key, @Nullable Entry entry) {
    try {
      Optional<StateRecord> record = super.read(namespace, key);
      count(namespace, "untrusted");
      return record;
    } catch (StateException e) {
      if (entry == null || !serveStaleWhenDown) {
        throw e;
      }
      count(namespace, "stale-served");
      return live(entry.record());
    }
  }

  /**
   * Checks a hit against the store with one small field: true if the entry is current (the same
   * version, or absent on both sides); false if it is stale, which evicts it.
   */
  private boolean current(Namespace namespace, String key, CacheKey cacheKey, Entry entry) {
    Optional<StateRecord> probe = super.read(namespace, key, Set.of(validateField));
    StateRecord cached = entry.record();
    boolean current =
        probe.isPresent()
            ? cached != null && probe.get().version() == cached.version()
            : cached == null;
    if (current) {
      count(namespace, "validated");
      return true;
    }
    cache.asMap().remove(cacheKey, entry);
    metrics.counter(STALE, namespace.name()).increment();
    count(namespace, "miss");
    return false;
  }

  private Optional<StateRecord> live(@Nullable StateRecord record) {
    if (record == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    return record.expiresAt().filter(at -> !at.isAfter(now)).isPresent()
        ? Optional.empty()
        : Optional.of(record);
  }

  @Override
  public WriteResult update(Namespace namespace, String key, Update update) {
    CacheKey cacheKey = new CacheKey(namespace.name(), key);
    Changes changes = changes(namespace);
    int stripe = Changes.stripe(key);
    long announced = changes.count(stripe);
    Entry before = cache.getIfPresent(cacheKey);
    Update tagged =
        namespace.watchable() && update.origin() == null ? update.withOrigin(origin) : update;
    WriteResult result;
    try {
      result = super.update(namespace, key, tagged);
    } catch (RuntimeException e) {
      changes.changed(key);
      // The write may have landed: the entry is no longer a hit, but stays as a fallback.
      cache.asMap().computeIfPresent(cacheKey, (k, entry) -> new Entry(entry.record(), false));
      throw e;
    }
    // The store does not announce this write back to this cache, so it is counted here: a read of
    // this key in flight since before it must not cache what it saw.
    changes.changed(key);
    // If no other change to the key's stripe was announced while the write ran, the entry as it
    // was (even if it has since been evicted for room), plus this update, is exactly the record at
    // the new version.
    boolean onlyThisWrite = changes.count(stripe) - announced <= 1;
    cache
        .asMap()
        .compute(
            cacheKey,
            (k, entry) -> {
              if (result.created()) {
                return null;
              }
              if (entry != null
                  && entry.trusted()
                  && entry.record() != null
                  && entry.record().version() >= result.version()) {
                // Read after this write, or built on it by a later write: it holds this write.
                return entry;
              }
              Entry base = entry != null ? entry : onlyThisWrite ? before : null;
              if (base == null
                  || !base.trusted()
                  || base.record() == null
                  || base.record().version() != result.version() - 1) {
                return null;
              }
              return new Entry(apply(base.record(), update, result.version()));
            });
    return result;
  }

  private static StateRecord apply(StateRecord record, Update update, long version) {
    // Neither the record's arrays nor the update's are ever changed: the new record shares them.
    Map<String, byte[]> fields = new LinkedHashMap<>();
    record.sharedFields().forEach(fields::put);
    update.removes().forEach(fields::remove);
    fields.putAll(update.sets());
    Instant expiresAt =
        switch (update.expiryChange()) {
          case KEEP -> record.expiresAt().orElse(null);
          case SET -> update.expiresAt();
          case PERSIST -> null;
        };
    return new StateRecord(record.key(), RecordFields.adopt(fields), version, expiresAt);
  }

  @Override
  public boolean delete(Namespace namespace, String key, Precondition precondition) {
    try {
      return super.delete(namespace, key, precondition);
    } finally {
      changes(namespace).changed(key);
      cache.invalidate(new CacheKey(namespace.name(), key));
    }
  }

  @Override
  public void close() {
    watches.values().forEach(Watch::close);
    watches.clear();
    cache.invalidateAll();
    super.close();
  }

  private void count(Namespace namespace, String result) {
    // Registry lookups allocate; a hit must not, so counters are kept per namespace and result.
    Map<String, Counter> byResult = counters.get(namespace.name());
    if (byResult == null) {
      byResult = counters.computeIfAbsent(namespace.name(), name -> new ConcurrentHashMap<>());
    }
    Counter counter = byResult.get(result);
    if (counter == null) {
      counter =
          byResult.computeIfAbsent(result, r -> metrics.counter(REQUESTS, namespace.name(), r));
    }
    counter.increment();
  }

  /** Evicts what changed elsewhere. */
  private final class Invalidator implements WatchListener {
    private final Namespace namespace;

    Invalidator(Namespace namespace) {
      this.namespace = namespace;
    }

    @Override
    public String origin() {
      return origin;
    }

    @Override
    public void onChange(ChangeEvent event) {
      if (origin.equals(event.origin())) {
        return; // this cache's own write, already counted and applied by update()
      }
      changes(namespace).changed(event.key());
      Entry[] evicted = new Entry[1];
      cache
          .asMap()
          .computeIfPresent(
              new CacheKey(namespace.name(), event.key()),
              (k, entry) -> {
                boolean current =
                    !event.deleted()
                        && entry.record() != null
                        && entry.record().version() >= event.version();
                if (current) {
                  return entry;
                }
                evicted[0] = entry;
                return null;
              });
      if (evicted[0] != null) {
        metrics.counter(STALE, namespace.name()).increment();
      }
    }

    @Override
    public void onResync() {
      changes(namespace).changedAll();
      cache.asMap().keySet().removeIf(k -> k.namespace().equals(namespace.name()));
      // Trusted again only once emptied: whatever is cached from now on was read after the feed
      // came back, so its changes will be announced.
      untrusted.remove(namespace.name());
    }

    @Override
    public void onFeedLost() {
      // Untrusted first: a read from now on goes to the store, and none in flight caches.
      untrusted.add(namespace.name());
      changes(namespace).changedAll();
    }
  }

  /** Builds a {@link NearCache}. Not thread-safe. */
  public static final class Builder {
    private final StateStore store;
    private final Settings settings =
        Settings.of(
            List.of(StateConfig.NEAR_CACHE_MAXIMUM_SIZE, StateConfig.NEAR_CACHE_STALE_AFTER));
    private BrownoutClock clock = BrownoutClock.system();
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    private @Nullable String validateField;
    private boolean serveStaleWhenDown;

    private Builder(StateStore store) {
      this.store =
          Objects.requireNonNull(store, "NearCache.builder(store) needs the store it caches");
    }

    /**
     * Checks every hit against the store first, by reading {@code field} alone (one small read) and
     * comparing versions; a stale entry is evicted and the record read whole. For records read on
     * more than one server without sticky routing, where a change notification can arrive after the
     * next read. Default: off, hits cost no call.
     */
    public Builder validateOnHit(String field) {
      Objects.requireNonNull(field, "field");
      if (field.isEmpty()
          || field.getBytes(StandardCharsets.UTF_8).length > Update.MAX_FIELD_NAME_BYTES) {
        throw new IllegalArgumentException(
            "validateOnHit: a field name is 1 to " + Update.MAX_FIELD_NAME_BYTES + " UTF-8 bytes");
      }
      this.validateField = field;
      return this;
    }

    /**
     * Whether an entry is served when its change feed is down and the store fails the read too.
     * Default: false, the failure is thrown. The session module's serve-cached policy sets it.
     */
    public Builder serveStaleWhenDown(boolean serve) {
      this.serveStaleWhenDown = serve;
      return this;
    }

    /** The most entries kept ({@code brownout.state.near-cache.maximum-size}). Default 10 000. */
    public Builder maximumSize(int entries) {
      settings.set(StateConfig.NEAR_CACHE_MAXIMUM_SIZE, entries);
      return this;
    }

    /**
     * Also caches namespaces that are not watched, serving an entry for at most {@code duration};
     * and bounds every entry's age to it ({@code brownout.state.near-cache.stale-after}). Default:
     * not set, so only watched namespaces are cached.
     */
    public Builder staleAfter(Duration duration) {
      settings.set(StateConfig.NEAR_CACHE_STALE_AFTER, duration);
      return this;
    }

    /** Reads {@code brownout.state.near-cache.*} from {@code config}; setters win. */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    /** The clock for expiry and entry age. */
    public Builder clock(BrownoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where hit, miss and eviction counts go. Default: an in-memory registry. */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** Builds the cache. */
    public NearCache build() {
      return new NearCache(this);
    }
  }
}
