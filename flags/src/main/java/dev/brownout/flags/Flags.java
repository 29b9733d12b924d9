package dev.brownout.flags;

import dev.brownout.core.admin.AdminRoute;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p>Definitions live in the store's small namespace {@value #NAMESPACE_NAME}, one record per flag.
 * A change made on any server reaches the others through the store's watch, and every server also
 * re-reads the namespace every {@link Builder#refreshInterval(Duration)} as a safety net. When the
 * store is unreachable, servers keep the last good snapshot and {@link #staleness()} grows; a
 * server that starts while the store is down uses its bootstrap file, if it has one, and catches up
 * when the store answers.
 */
public final class Flags implements AutoCloseable {
  /** The name of the namespace flags are stored in. */
  public static final String NAMESPACE_NAME = "brownout-flags";

  /** The namespace flags are stored in. */
  public static final Namespace NAMESPACE = Namespace.small(NAMESPACE_NAME);

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

  /** The snapshot. */

  /** Evaluation counts by flag, variant and reason; each is a Micrometer function counter. */
  private final Map<List<String>, ThreadSlotCounter> evaluationCounts = new ConcurrentHashMap<>();

  private final StateStore store;
  private final BrownoutClock clock;
  private final BrownoutMetrics metrics;
  private final JsonCodec codec = JsonCodec.standard();
  // Read by every evaluation: one volatile load, swapped whole by install().
  private volatile FlagSnapshot current;
  private final NamespaceFollower follower;
  private volatile Instant lastSync;
  private final FlagAdmin admin;
  private final OutageLog outage;
  // Versions of flags deleted through this server or seen gone, by key: guarded by this.
  private final Map<String, Long> deletedVersions = new HashMap<>();

  private Flags(Builder builder) {
    this.store = builder.store;
    this.clock = builder.clock;
    this.metrics = builder.metrics;
    this.lastSync = Instant.EPOCH;
    this.outage =
        new OutageLog(
            log, "Flag store (" + store.kind() + ")", clock, OutageLog.DEFAULT_SUMMARY_INTERVAL);
    this.current = FlagSnapshot.empty();
    this.follower =
        new NamespaceFollower(
            store,
            NAMESPACE,
            builder.settings.get(FlagsConfig.REFRESH_INTERVAL),
            "brownout-flags",
            new NamespaceFollower.Owner() {
              @Override
              public void refreshAll() {
                refresh();
              }

              @Override
              public void changed(ChangeEvent event) {
                refresh(event.key());
              }
            });
    this.admin = new FlagAdmin(this);
    metrics.gauge(STALENESS, this, flags -> flags.staleness().toMillis() / 1000.0);
    if (!refresh()) {
      bootstrap(builder.settings.find(FlagsConfig.BOOTSTRAP_FILE).map(Path::of).orElse(null));
    }
    follower.start();
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
   * flag.
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

  /** A string flag's value, or {@code defaultValue}. */
  public String stringValue(String flag, FlagContext context, String defaultValue) {
    FlagEvaluation result = evaluate(flag, context);
    return result.value() instanceof String text ? text : defaultValue;
  }

  /** A number flag's value, or {@code defaultValue}. */
  public double numberValue(String flag, FlagContext context, double defaultValue) {
    FlagEvaluation result = evaluate(flag, context);
    return result.value() instanceof Number number ? number.doubleValue() : defaultValue;
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

  /** Creating, changing and deleting flags, with validation. */
  public FlagAdmin admin() {
    return admin;
  }

  /** The admin routes: list, get, create, replace, patch, delete, explain. */
  public List<AdminRoute> adminRoutes() {
    return new FlagRoutes(this).routes();
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

  // --- keeping the snapshot in step with the store

  StateStore store() {
    return store;
  }

  BrownoutClock clock() {
    return clock;
  }

  /** Re-reads every flag. Returns whether the store answered. */
  boolean refresh() {
    List<StateRecord> records;
    try {
      records = store.list(NAMESPACE);
    } catch (StateException e) {
      outage.failed("serving the last known flags (stale for " + staleness() + ")", e);
      return false;
    }
    outage.recovered();
    List<CompiledFlag> compiled = new ArrayList<>();
    for (StateRecord record : records) {
      compile(record).ifPresent(compiled::add);
    }
    installAll(compiled);
    lastSync = clock.instant();
    return true;
  }

  private synchronized void installAll(List<CompiledFlag> compiled) {
    List<CompiledFlag> current = new ArrayList<>();
    for (CompiledFlag flag : compiled) {
      Long deleted = deletedVersions.get(flag.definition().key());
      if (deleted == null || flag.version() < 0 || flag.version() > deleted) {
        current.add(flag);
      }
    }
    install(FlagSnapshot.of(current, clock.instant()));
  }

  private Optional<CompiledFlag> compile(StateRecord record) {
    try {
      FlagDefinition definition =
          codec.decode(record.field(FIELD).orElse(new byte[0]), FlagDefinition.class);
      return Optional.of(new CompiledFlag(definition, record.version()));
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
        compile(record.get()).ifPresent(flag -> applyIfNewer(flag, now));
      }
      lastSync = now;
      outage.recovered();
    } catch (StateException e) {
      outage.failed("a changed flag is re-read at the next refresh", e);
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
    for (String key : snapshot.keys()) {
      snapshot.compiled(key).bindCounts(outcome -> evaluationCount(key, outcome));
    }
    current = snapshot;
  }

  private ThreadSlotCounter evaluationCount(String key, FlagEvaluation outcome) {
    List<String> tags =
        List.of(
            key,
            String.valueOf(outcome.variant()),
            outcome.reason().name().toLowerCase(java.util.Locale.ROOT));
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
      List<FlagDefinition> definitions =
          FlagDefinition.listFromJson(Files.readString(file, StandardCharsets.UTF_8));
      List<CompiledFlag> compiled = new ArrayList<>();
      for (FlagDefinition definition : definitions) {
        compiled.add(new CompiledFlag(definition, -1));
      }
      install(FlagSnapshot.of(compiled, clock.instant()));
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
  }

  /** Builds {@link Flags}. Not thread-safe. */
  public static final class Builder {
    private final StateStore store;
    private final Settings settings =
        Settings.of(List.of(FlagsConfig.REFRESH_INTERVAL, FlagsConfig.BOOTSTRAP_FILE));
    private BrownoutClock clock = BrownoutClock.system();
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();

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
     * A JSON file with an array of definitions, used when the store is unreachable at start ({@code
     * brownout.flags.bootstrap-file}).
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

    /** Loads the flags (or the bootstrap file), starts watching, and returns. */
    public Flags build() {
      return new Flags(this);
    }
  }
}
