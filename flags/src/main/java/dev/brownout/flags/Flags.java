package dev.brownout.flags;

import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.AuditSink;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.internal.OutageLog;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.metrics.MeterSpec;
import dev.brownout.core.metrics.ThreadSlotCounter;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.ChangeEvent;
import dev.brownout.state.Namespace;
import dev.brownout.state.NamespaceFollower;
import dev.brownout.state.StateException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feature flags: evaluate them, change them, and keep every server in step.
 *
 * <pre>{@code
 * Flags flags = Flags.builder(store).metrics(metrics).build();
 * if (flags.isEnabled("new-checkout", FlagContext.of(userId))) { ... }
 * }</pre>
 *
 * <p>Evaluation reads an immutable snapshot held in memory: no I/O, no lock, no allocation, never
 * throws. An unknown flag gives the caller's default and counts {@code brownout.flags.unknown}.
 * Typed reads ({@link #intValue}, {@link #longValue}, {@link #doubleValue}, {@link #stringValue},
 * {@link #jsonValue}) give the caller's default when the flag's variants are of another type.
 *
 * <p>Definitions live in the store's small namespace {@value #NAMESPACE_NAME}, one record per flag,
 * and segments in {@value #SEGMENTS_NAMESPACE_NAME}. A change made on any server reaches the others
 * through the store's watch, and every server also re-reads both namespaces every {@link
 * Builder#refreshInterval(Duration)} as a safety net. When the store is unreachable, servers keep
 * the last good snapshot and {@link #staleness()} grows; a server that starts while the store is
 * down uses its bootstrap file, if it has one, and catches up when the store answers.
 */
public final class Flags implements AutoCloseable {
  /** The name of the namespace flags are stored in. */
  public static final String NAMESPACE_NAME = "brownout-flags";

  /** The namespace flags are stored in. */
  public static final Namespace NAMESPACE = Namespace.small(NAMESPACE_NAME);

  /** The name of the namespace segments are stored in. */
  public static final String SEGMENTS_NAMESPACE_NAME = "brownout-segments";

  /** The namespace segments are stored in. */
  public static final Namespace SEGMENTS = Namespace.small(SEGMENTS_NAMESPACE_NAME);

  /** Evaluations, named after the OpenTelemetry feature-flag conventions. */
  public static final MeterSpec EVALUATIONS =
      MeterSpec.counter(
          "brownout.feature_flag.evaluations",
          "Flag evaluations by flag, variant and reason (OpenTelemetry feature_flag.* attribute names).",
          "feature_flag.key",
          "feature_flag.result.variant",
          "feature_flag.result.reason");

  /** Evaluations of flags that do not exist. */
  public static final MeterSpec UNKNOWN =
      MeterSpec.counter(
          "brownout.feature_flag.unknown",
          "Evaluations of flags that do not exist; the caller's default was used.",
          "feature_flag.key");

  /** How old the snapshot is. */
  public static final MeterSpec STALENESS =
      MeterSpec.gauge(
          "brownout.feature_flag.snapshot.staleness",
          "Seconds since flags were last read from the store.",
          "seconds");

  /** Definitions in the store that could not be used. */
  public static final MeterSpec INVALID =
      MeterSpec.counter(
          "brownout.feature_flag.invalid",
          "Stored definitions skipped because they are invalid.",
          "feature_flag.key");

  static final String FIELD = "definition";
  private static final Logger log = LoggerFactory.getLogger(Flags.class);

  /** Evaluation counts by flag, variant and reason; each is a Micrometer function counter. */
  private final Map<List<String>, ThreadSlotCounter> evaluationCounts = new ConcurrentHashMap<>();

  private final StateStore store;
  private final BrownoutClock clock;
  private final BrownoutMetrics metrics;
  private final @Nullable AuditSink auditSink;
  private final JsonCodec codec = JsonCodec.standard();
  // Read by every evaluation: one volatile load, swapped whole by install().
  private volatile FlagSnapshot current;
  private final NamespaceFollower follower;
  private final NamespaceFollower segmentFollower;
  private volatile Instant lastSync;
  private final Instant startedAt;
  private final FlagAdmin admin;
  private final SegmentAdmin segmentAdmin;
  private final OutageLog outage;
  private final FlagUsage usage = new FlagUsage();
  private final List<FlagsListener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean storeAvailable = true;
  private volatile boolean loaded;
  // The plan runners built on these flags, first built first: the admin routes use the first.
  private final List<Rollouts> runners = new CopyOnWriteArrayList<>();
  // Versions of flags deleted through this server or seen gone, by key: guarded by this.
  private final Map<String, Long> deletedVersions = new HashMap<>();

  private Flags(Builder builder) {
    this.store = builder.store;
    this.clock = builder.clock;
    this.metrics = builder.metrics;
    this.auditSink = builder.auditSink;
    this.lastSync = Instant.EPOCH;
    this.startedAt = clock.instant();
    this.outage =
        new OutageLog(
            log, "Flag store (" + store.kind() + ")", clock, OutageLog.DEFAULT_SUMMARY_INTERVAL);
    this.current = FlagSnapshot.empty();
    Duration interval = builder.settings.get(FlagsConfig.REFRESH_INTERVAL);
    this.follower =
        new NamespaceFollower(
            store,
            NAMESPACE,
            interval,
            "brownout-flags",
            new NamespaceFollower.Owner() {
              @Override
              public void refreshAll() {
                refreshFlags();
              }

              @Override
              public void changed(ChangeEvent event) {
                refresh(event.key());
              }
            });
    this.segmentFollower =
        new NamespaceFollower(
            store, SEGMENTS, interval, "brownout-segments", this::refreshSegments);
    this.admin = new FlagAdmin(this);
    this.segmentAdmin = new SegmentAdmin(this);
    metrics.gauge(STALENESS, this, flags -> flags.staleness().toMillis() / 1000.0);
    if (!refresh()) {
      bootstrap(builder.settings.find(FlagsConfig.BOOTSTRAP_FILE).map(Path::of).orElse(null));
    }
    follower.start();
    segmentFollower.start();
  }

  /**
   * Starts a builder for flags kept in {@code store}. Every server that shares flags must share the
   * store; a single-process application (or a test) passes {@code InMemoryStateStore.create()}, and
   * then its flags live and die with the process.
   */
  public static Builder builder(StateStore store) {
    return new Builder(store);
  }

  // --- evaluation

  /** Whether a boolean flag is on for {@code context}; {@code false} if there is no such flag. */
  public boolean isEnabled(String flag, FlagContext context) {
    return isEnabled(flag, context, false);
  }

  /**
   * Whether a boolean flag is on for {@code context}; {@code defaultValue} if there is no such
   * flag, or its values are not booleans.
   */
  public boolean isEnabled(String flag, FlagContext context, boolean defaultValue) {
    // evaluate(), without building or reading a FlagEvaluation: the hottest call in the library.
    FlagSnapshot now = current;
    CompiledFlag compiled = now.compiled(flag);
    if (compiled == null) {
      countUnknown(flag);
      return defaultValue;
    }
    return compiled.isOn(now.evaluateAndCount(compiled, context), defaultValue);
  }

  /** A string flag's value; {@code defaultValue} if there is no such flag or it is not text. */
  public String stringValue(String flag, FlagContext context, String defaultValue) {
    Object value = typed(flag, context, FlagType.STRING);
    return value == null ? defaultValue : (String) value;
  }

  /**
   * An integer flag's value; {@code defaultValue} if there is no such flag, or its variants are not
   * all whole numbers within the range of an int (whatever this unit would get).
   */
  public int intValue(String flag, FlagContext context, int defaultValue) {
    FlagSnapshot now = current;
    CompiledFlag compiled = now.compiled(flag);
    if (compiled == null) {
      countUnknown(flag);
      return defaultValue;
    }
    if (!compiled.fitsInt()) {
      return defaultValue;
    }
    return ((Number) compiled.outcome(now.evaluateAndCount(compiled, context)).value()).intValue();
  }

  /**
   * An integer flag's value; {@code defaultValue} if there is no such flag, or its variants are not
   * all whole numbers within the range of a long.
   */
  public long longValue(String flag, FlagContext context, long defaultValue) {
    Object value = typed(flag, context, FlagType.INTEGER);
    return value == null ? defaultValue : ((Number) value).longValue();
  }

  /**
   * A number flag's value; {@code defaultValue} if there is no such flag or its variants are not
   * numbers.
   */
  public double doubleValue(String flag, FlagContext context, double defaultValue) {
    FlagSnapshot now = current;
    CompiledFlag compiled = now.compiled(flag);
    if (compiled == null) {
      countUnknown(flag);
      return defaultValue;
    }
    if (compiled.kind() != FlagType.NUMBER && compiled.kind() != FlagType.INTEGER) {
      return defaultValue;
    }
    return ((Number) compiled.outcome(now.evaluateAndCount(compiled, context)).value())
        .doubleValue();
  }

  /**
   * A number flag's value, or {@code defaultValue}.
   *
   * @deprecated use {@link #doubleValue(String, FlagContext, double)}, which this calls
   */
  @Deprecated
  public double numberValue(String flag, FlagContext context, double defaultValue) {
    return doubleValue(flag, context, defaultValue);
  }

  /**
   * A JSON flag's value: an unmodifiable {@code Map<String, Object>} or {@code List<Object>}, the
   * same object for every caller; {@code defaultValue} if there is no such flag or its variants are
   * not JSON.
   */
  public Object jsonValue(String flag, FlagContext context, Object defaultValue) {
    Object value = typed(flag, context, FlagType.JSON);
    return value == null ? defaultValue : value;
  }

  private @Nullable Object typed(String flag, FlagContext context, FlagType kind) {
    FlagSnapshot now = current;
    CompiledFlag compiled = now.compiled(flag);
    if (compiled == null) {
      countUnknown(flag);
      return null;
    }
    if (compiled.kind() != kind) {
      return null;
    }
    return compiled.outcome(now.evaluateAndCount(compiled, context)).value();
  }

  /**
   * Evaluates a flag: the variant, its value and the reason. Never throws; an unknown flag gives a
   * result with {@link FlagEvaluation.Reason#FLAG_NOT_FOUND} and no variant.
   */
  public FlagEvaluation evaluate(String flag, FlagContext context) {
    FlagSnapshot now = current;
    CompiledFlag compiled = now.compiled(flag);
    if (compiled == null) {
      countUnknown(flag);
      return new FlagEvaluation(flag, null, null, FlagEvaluation.Reason.FLAG_NOT_FOUND, null);
    }
    return compiled.outcome(now.evaluateAndCount(compiled, context));
  }

  private void countUnknown(String flag) {
    metrics.counter(UNKNOWN, flag).increment();
  }

  /** The flags as they are now. */
  public FlagSnapshot snapshot() {
    return current;
  }

  /**
   * How long since flags were last read from the store: zero-ish when healthy, growing when not.
   */
  public Duration staleness() {
    return Duration.between(lastSync, clock.instant());
  }

  /** Whether the store answered the last time this server read it. */
  public boolean storeAvailable() {
    return storeAvailable;
  }

  /**
   * Whether this server has definitions to evaluate: it has read the store, or its bootstrap file,
   * at least once. While false, every evaluation gives the caller's default.
   */
  public boolean loaded() {
    return loaded;
  }

  /**
   * When a flag was last evaluated on this server (counted evaluations: {@code isEnabled}, the
   * typed reads and {@code evaluate}; not explanations or dry runs), to within the refresh
   * interval; empty if it has not been since {@link #observedSince()}.
   */
  public Optional<Instant> lastEvaluated(String flag) {
    usage.sample(current, clock.instant());
    return usage.lastEvaluated(flag);
  }

  /** Since when this server has been watching evaluations, for {@link #lastEvaluated}. */
  public Instant observedSince() {
    return startedAt;
  }

  /**
   * The flags not evaluated on this server for at least {@code unused}, oldest use first: the
   * candidates for clean-up. None while this server has been up for less than {@code unused}.
   */
  public List<String> staleFlags(Duration unused) {
    Instant now = clock.instant();
    FlagSnapshot snapshot = current;
    usage.sample(snapshot, now);
    Instant cutoff = now.minus(unused);
    List<String> stale = new ArrayList<>();
    for (String key : new TreeSet<>(snapshot.keys())) {
      Instant last = usage.lastEvaluated(key).orElse(startedAt);
      if (!last.isAfter(cutoff)) {
        stale.add(key);
      }
    }
    stale.sort(
        (a, b) ->
            usage
                .lastEvaluated(a)
                .orElse(startedAt)
                .compareTo(usage.lastEvaluated(b).orElse(startedAt)));
    return stale;
  }

  /**
   * Tells {@code listener} about changes to definitions and to the store's availability, from a
   * thread of the flags' own, in order. Close the returned handle to stop.
   */
  public AutoCloseable subscribe(FlagsListener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Creating, changing and deleting flags, with validation. */
  public FlagAdmin admin() {
    return admin;
  }

  /** Creating, changing and deleting segments, with validation and in-use checks. */
  public SegmentAdmin segments() {
    return segmentAdmin;
  }

  /**
   * The runner of rollout plans built on these flags on this server ({@code
   * Rollouts.builder(flags)}), if there is one; the first built, if there are several.
   */
  public Optional<Rollouts> rollouts() {
    return runners.isEmpty() ? Optional.empty() : Optional.of(runners.get(0));
  }

  /**
   * The admin routes: flags (list, get, create, replace, patch, delete, explain, history, dry run,
   * export, import, stale), segments, and rollout plans (served once {@code
   * Rollouts.builder(flags)} has built the plans' runner on this server).
   */
  public List<AdminRoute> adminRoutes() {
    List<AdminRoute> routes = new ArrayList<>(new FlagRoutes(this).routes());
    routes.addAll(new SegmentRoutes(this).routes());
    routes.addAll(new RolloutRoutes(this).routes());
    return List.copyOf(routes);
  }

  /**
   * The guards for {@link FeatureFlag} on service methods, for {@code
   * GuardedProxies.builder().add(...)}. The flag is evaluated for the method's {@link FlagContext}
   * parameter if it has one, else for what {@code context} supplies at call time (the signed-in
   * user of the current request, say).
   */
  public List<GuardFactory> guards(Supplier<FlagContext> context) {
    return List.of(new FeatureFlagGuard(this, Objects.requireNonNull(context, "context")));
  }

  /**
   * The guards for {@link FeatureFlag}, for methods that take a {@link FlagContext} parameter: a
   * {@code @FeatureFlag} method without one is an error when the proxy is built, since nothing
   * would say whose flag to evaluate. Use {@link #guards(Supplier)} to supply the context from
   * elsewhere.
   */
  public List<GuardFactory> guards() {
    return List.of(new FeatureFlagGuard(this, null));
  }

  // --- for the rest of the module

  StateStore store() {
    return store;
  }

  BrownoutClock clock() {
    return clock;
  }

  BrownoutMetrics metrics() {
    return metrics;
  }

  Optional<AuditSink> auditSink() {
    return Optional.ofNullable(auditSink);
  }

  void attach(Rollouts runner) {
    runners.add(runner);
  }

  void detach(Rollouts runner) {
    runners.remove(runner);
  }

  /** A person (not a rollout plan) changed {@code flag}: a plan running it pauses. */
  void changedByHand(String flag, long version) {
    rollouts().ifPresent(runner -> runner.flagChangedByHand(flag, version));
  }

  /** Compiles {@code definition} against this server's segments. */
  CompiledFlag compile(FlagDefinition definition, long version) {
    return new CompiledFlag(definition, version, current::compiledSegment);
  }

  // --- keeping the snapshot in step with the store

  /** Re-reads every segment and flag. Returns whether the store answered. */
  boolean refresh() {
    List<StateRecord> segments;
    List<StateRecord> records;
    try {
      segments = store.list(SEGMENTS);
      records = store.list(NAMESPACE);
    } catch (StateException e) {
      unavailable("serving the last known flags (stale for " + staleness() + ")", e);
      return false;
    }
    Map<String, CompiledSegment> compiledSegments = compileSegments(segments);
    List<CompiledFlag> compiled = new ArrayList<>();
    for (StateRecord record : records) {
      compile(record, compiledSegments).ifPresent(compiled::add);
    }
    installAll(compiled, compiledSegments);
    lastSync = clock.instant();
    loaded = true;
    available();
    return true;
  }

  /** Re-reads every flag; segments stay as they are. */
  private void refreshFlags() {
    List<StateRecord> records;
    try {
      records = store.list(NAMESPACE);
    } catch (StateException e) {
      unavailable("serving the last known flags (stale for " + staleness() + ")", e);
      return;
    }
    Map<String, CompiledSegment> segments = current.compiledSegments();
    List<CompiledFlag> compiled = new ArrayList<>();
    for (StateRecord record : records) {
      compile(record, segments).ifPresent(compiled::add);
    }
    installAll(compiled, segments);
    lastSync = clock.instant();
    loaded = true;
    available();
  }

  /** Re-reads every segment and recompiles the flags whose segments changed. */
  void refreshSegments() {
    List<StateRecord> records;
    try {
      records = store.list(SEGMENTS);
    } catch (StateException e) {
      unavailable("serving the last known segments", e);
      return;
    }
    // Only a read of the flags says the store is back: it is what makes this server loaded.
    outage.recovered();
    installSegments(compileSegments(records));
  }

  private Map<String, CompiledSegment> compileSegments(List<StateRecord> records) {
    Map<String, CompiledSegment> compiled = new HashMap<>();
    for (StateRecord record : records) {
      try {
        SegmentDefinition definition =
            codec.decode(record.field(FIELD).orElse(new byte[0]), SegmentDefinition.class);
        compiled.put(definition.key(), new CompiledSegment(definition, record.version()));
      } catch (RuntimeException e) {
        metrics.counter(INVALID, "segment:" + record.key()).increment();
        log.error("Skipping stored segment {}: {}", record.key(), e.getMessage());
      }
    }
    return compiled;
  }

  /** Installs a segment written through this server, and recompiles the flags that use it. */
  synchronized void applySegment(String key, @Nullable CompiledSegment segment) {
    Map<String, CompiledSegment> segments = new HashMap<>(current.compiledSegments());
    if (segment == null) {
      segments.remove(key);
    } else {
      CompiledSegment installed = segments.get(key);
      if (installed != null && installed.version() > segment.version()) {
        return;
      }
      segments.put(key, segment);
    }
    installSegments(segments);
  }

  private synchronized void installSegments(Map<String, CompiledSegment> segments) {
    FlagSnapshot before = current;
    Set<String> changed = new HashSet<>();
    for (Map.Entry<String, CompiledSegment> entry : segments.entrySet()) {
      CompiledSegment old = before.compiledSegments().get(entry.getKey());
      if (old == null || old.version() != entry.getValue().version()) {
        changed.add(entry.getKey());
      }
    }
    for (String key : before.compiledSegments().keySet()) {
      if (!segments.containsKey(key)) {
        changed.add(key);
      }
    }
    if (changed.isEmpty()) {
      return;
    }
    List<CompiledFlag> flags = new ArrayList<>();
    for (CompiledFlag flag : before.compiledFlags()) {
      boolean affected = flag.segmentKeys().stream().anyMatch(changed::contains);
      flags.add(affected ? recompile(flag, segments) : flag);
    }
    install(FlagSnapshot.of(flags, segments, clock.instant()));
  }

  private CompiledFlag recompile(CompiledFlag flag, Map<String, CompiledSegment> segments) {
    return new CompiledFlag(
        flag.definition(),
        flag.version(),
        key -> segments.getOrDefault(key, CompiledSegment.MISSING));
  }

  private synchronized void installAll(
      List<CompiledFlag> compiled, Map<String, CompiledSegment> segments) {
    List<CompiledFlag> keep = new ArrayList<>();
    for (CompiledFlag flag : compiled) {
      Long deleted = deletedVersions.get(flag.definition().key());
      if (deleted == null || flag.version() < 0 || flag.version() > deleted) {
        keep.add(flag);
      }
    }
    install(FlagSnapshot.of(keep, segments, clock.instant()));
  }

  private Optional<CompiledFlag> compile(
      StateRecord record, Map<String, CompiledSegment> segments) {
    try {
      FlagDefinition definition =
          codec.decode(record.field(FIELD).orElse(new byte[0]), FlagDefinition.class);
      return Optional.of(
          new CompiledFlag(
              definition,
              record.version(),
              key -> segments.getOrDefault(key, CompiledSegment.MISSING)));
    } catch (RuntimeException e) {
      metrics.counter(INVALID, record.key()).increment();
      log.error("Skipping stored flag {}: {}", record.key(), e.getMessage());
      return Optional.empty();
    }
  }

  /** Re-reads one flag after a change. */
  void refresh(String key) {
    try {
      Optional<StateRecord> record = store.read(NAMESPACE, key);
      Instant now = clock.instant();
      if (record.isEmpty()) {
        removed(key);
      } else {
        compile(record.get(), current.compiledSegments())
            .ifPresent(flag -> applyIfNewer(flag, now));
      }
      lastSync = now;
      if (loaded) {
        available();
      }
    } catch (StateException e) {
      unavailable("a changed flag is re-read at the next refresh", e);
    }
  }

  /**
   * Installs a flag read or written by this server, unless a newer version is in place or the flag
   * was deleted after this version was read (a read that raced the delete must not bring it back).
   */
  synchronized void applyIfNewer(CompiledFlag flag, Instant at) {
    String key = flag.definition().key();
    Long deleted = deletedVersions.get(key);
    if (deleted != null && flag.version() >= 0 && flag.version() <= deleted) {
      return;
    }
    Optional<Long> installed = snapshot().version(key);
    if (installed.isEmpty() || installed.get() <= flag.version() || flag.version() < 0) {
      deletedVersions.remove(key);
      install(snapshot().with(flag, at));
    }
  }

  /** Drops a deleted flag, remembering its version so that a late read cannot restore it. */
  synchronized void removed(String key) {
    snapshot().version(key).ifPresent(version -> deletedVersions.merge(key, version, Math::max));
    install(snapshot().without(key, clock.instant()));
  }

  private synchronized void install(FlagSnapshot snapshot) {
    FlagSnapshot before = current;
    for (String key : snapshot.keys()) {
      snapshot.compiled(key).bindCounts(outcome -> evaluationCount(key, outcome));
    }
    // Counted evaluations of the definitions being replaced are noted before they go.
    usage.sample(before, clock.instant());
    current = snapshot;
    Set<String> changed = new TreeSet<>();
    for (String key : snapshot.keys()) {
      CompiledFlag old = before.compiled(key);
      if (old == null || old.version() != snapshot.compiled(key).version()) {
        changed.add(key);
      } else if (old.segmentKeys().stream()
          .anyMatch(
              segment -> before.compiledSegment(segment) != snapshot.compiledSegment(segment))) {
        changed.add(key);
      }
    }
    for (String key : before.keys()) {
      if (snapshot.compiled(key) == null) {
        changed.add(key);
      }
    }
    if (!changed.isEmpty() && !listeners.isEmpty()) {
      Set<String> keys = Set.copyOf(changed);
      later(() -> tell(listener -> listener.flagsChanged(keys)));
    }
  }

  private void available() {
    outage.recovered();
    if (!storeAvailable) {
      storeAvailable = true;
      later(() -> tell(FlagsListener::storeAvailable));
    }
  }

  private void unavailable(String consequence, StateException e) {
    outage.failed(consequence, e);
    if (storeAvailable) {
      storeAvailable = false;
      String reason = String.valueOf(e.getMessage());
      later(() -> tell(listener -> listener.storeUnavailable(reason)));
    }
  }

  /** Runs {@code task} on the follower's thread, in order; not at all once closed. */
  private void later(Runnable task) {
    try {
      follower.execute(task);
    } catch (RejectedExecutionException e) {
      // closed: nobody is listening any more
    }
  }

  private void tell(java.util.function.Consumer<FlagsListener> event) {
    for (FlagsListener listener : listeners) {
      try {
        event.accept(listener);
      } catch (RuntimeException e) {
        log.error("A flags listener failed: {}", e.toString());
      }
    }
  }

  private ThreadSlotCounter evaluationCount(String key, FlagEvaluation outcome) {
    List<String> tags =
        List.of(
            key,
            String.valueOf(outcome.variant()),
            outcome.reason().name().toLowerCase(Locale.ROOT));
    return evaluationCounts.computeIfAbsent(
        tags,
        t -> {
          ThreadSlotCounter count = new ThreadSlotCounter();
          metrics.functionCounter(
              EVALUATIONS, count, ThreadSlotCounter::doubleValue, t.get(0), t.get(1), t.get(2));
          return count;
        });
  }

  private void bootstrap(@Nullable Path file) {
    if (file == null) {
      log.warn(
          "Starting with no flags: the store is unreachable and no bootstrap file is configured");
      return;
    }
    try {
      FlagBundle bundle = FlagBundle.fromJson(Files.readString(file, StandardCharsets.UTF_8));
      Map<String, CompiledSegment> segments = new HashMap<>();
      for (SegmentDefinition segment : bundle.segmentsOrEmpty()) {
        segments.put(segment.key(), new CompiledSegment(segment, -1));
      }
      List<CompiledFlag> compiled = new ArrayList<>();
      for (FlagDefinition definition : bundle.flags()) {
        compiled.add(
            new CompiledFlag(
                definition, -1, key -> segments.getOrDefault(key, CompiledSegment.MISSING)));
      }
      install(FlagSnapshot.of(compiled, segments, clock.instant()));
      loaded = true;
      log.warn(
          "Starting with {} flags from the bootstrap file {} until the store answers",
          compiled.size(),
          file);
    } catch (IOException | RuntimeException e) {
      log.error(
          "Cannot read the bootstrap file {}: {}; starting with no flags", file, e.getMessage());
    }
  }

  @Override
  public void close() {
    follower.close();
    segmentFollower.close();
  }

  /** Builds {@link Flags}. Not thread-safe. */
  public static final class Builder {
    private final StateStore store;
    private final Settings settings =
        Settings.of(List.of(FlagsConfig.REFRESH_INTERVAL, FlagsConfig.BOOTSTRAP_FILE));
    private BrownoutClock clock = BrownoutClock.system();
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    private @Nullable AuditSink auditSink;

    private Builder(StateStore store) {
      this.store =
          Objects.requireNonNull(
              store,
              "Flags.builder(store) needs the store flags are kept in: the shared Redis or DynamoDB"
                  + " store, or InMemoryStateStore.create() for a single process");
    }

    /**
     * How often every flag is re-read besides change notifications ({@code
     * brownout.flags.refresh-interval}). Default 30 seconds.
     */
    public Builder refreshInterval(Duration interval) {
      settings.set(FlagsConfig.REFRESH_INTERVAL, interval);
      return this;
    }

    /**
     * A JSON file of definitions, used when the store is unreachable at start ({@code
     * brownout.flags.bootstrap-file}): an array of flags, or the export format ({@code {"flags":
     * […], "segments": […]}}).
     */
    public Builder bootstrap(Path file) {
      settings.set(FlagsConfig.BOOTSTRAP_FILE, file.toString());
      return this;
    }

    /** Reads {@code brownout.flags.*} from {@code config}; values given to setters win. */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    /** The clock. */
    public Builder clock(BrownoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where evaluation counts and staleness go. Default: an in-memory registry. */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * The audit trail the admin API writes to (give both the same sink): each flag's history
     * ({@code GET /api/v1/flags/{key}/history}) is read from it, if it keeps records, and rollout
     * plans record their own moves there unless {@code Rollouts.Builder.auditSink} says otherwise.
     * Default: none, and the history route says so.
     */
    public Builder auditSink(AuditSink sink) {
      this.auditSink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /** Loads the flags (or the bootstrap file), starts watching, and returns. */
    public Flags build() {
      return new Flags(this);
    }
  }
}
