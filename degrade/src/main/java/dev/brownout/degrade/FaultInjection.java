package dev.brownout.degrade;

import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.AuditSink;
import dev.brownout.core.admin.LogAuditSink;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.internal.OutageLog;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.Namespace;
import dev.brownout.state.NamespaceFollower;
import dev.brownout.state.Precondition;
import dev.brownout.state.StateException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Fault injection for game days: latency, exceptions and refused connections put on purpose into
 * guarded calls ({@link #guards()}) and store calls ({@link #wrap}), so that breakers, fallbacks,
 * browse-only mode and the people on call are rehearsed rather than hoped for.
 *
 * <p>Safe to leave in production: it is off unless {@code brownout.degrade.faults.enabled} is true
 * (the guards are not even installed, the store is not wrapped, and the admin API refuses to start
 * anything). An experiment targets like a flag (calls by {@code Interface.method} pattern or stores
 * by name, a percentage of units, listed units or segments), is started and stopped through the
 * admin API ({@code /api/v1/faults}, every start and stop audited), and declares how long it runs:
 * it is kept in the store's namespace {@value #NAMESPACE_NAME}, so every server sharing the store
 * runs it, and every server stops it at {@link FaultExperiment#endsAt()} by its own clock, whatever
 * became of the server that started it. The first server to notice the end removes the experiment
 * and audits that it expired.
 *
 * <p>A call's unit is {@link Builder#unitResolver}'s (by default the MDC's {@value #UNIT_MDC_KEY});
 * a unit is in an experiment's percentage when its bucket is (the flags' bucketing, salted with the
 * experiment's id), so the same units are hit for the whole experiment. Calls without a unit are
 * sampled at random.
 */
public final class FaultInjection implements AutoCloseable {
  /** The namespace experiments are kept in. */
  public static final String NAMESPACE_NAME = "brownout-faults";

  /** Where the fault guard sits: innermost, where the dependency would be. */
  public static final int ORDER = 9000;

  /** The MDC key the default unit resolver reads. */
  public static final String UNIT_MDC_KEY = "brownout.unit";

  static final Namespace NAMESPACE = Namespace.small(NAMESPACE_NAME);
  static final String FIELD = "experiment";

  /** How long a store keeps an experiment past its end, in case no server is left to remove it. */
  static final Duration GRACE = Duration.ofHours(1);

  private static final Logger log = LoggerFactory.getLogger(FaultInjection.class);
  private static final Compiled[] NONE = new Compiled[0];

  private final StateStore store;
  private final boolean enabled;
  private final Duration maxDuration;
  private final Duration maxLatency;
  private final BrownoutClock clock;
  private final BrownoutMetrics metrics;
  private final Supplier<Optional<String>> unitResolver;
  private final @Nullable SegmentMatcher segments;
  private final @Nullable BufferedAuditSink audit;
  private final JsonCodec codec = JsonCodec.standard();
  private final OutageLog outage;
  private final @Nullable NamespaceFollower follower;
  private final ScheduledExecutorService scheduler;
  private volatile Compiled[] active = NONE;
  private volatile Map<String, Compiled> byId = Map.of();

  private FaultInjection(Builder builder) {
    this.store = builder.store;
    this.enabled = builder.settings.get(DegradeConfig.FAULTS_ENABLED);
    this.maxDuration = builder.settings.get(DegradeConfig.FAULTS_MAX_DURATION);
    this.maxLatency = builder.settings.get(DegradeConfig.FAULTS_MAX_LATENCY);
    this.clock = builder.clock;
    this.metrics = builder.metrics;
    this.unitResolver = builder.unitResolver;
    this.segments = builder.segments;
    this.outage = new OutageLog(log, "Fault-injection store (" + store.kind() + ")");
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("brownout-fault-latency"));
    metrics.gauge(OverloadMeters.FAULTS_ACTIVE, this, f -> f.running().size());
    if (enabled) {
      // Expiry records go out from a bounded buffer, so a slow sink never stalls the follower.
      this.audit =
          BufferedAuditSink.of(
              builder.auditSink, "fault-audit", 1000, Duration.ofMillis(100), metrics);
      this.follower =
          new NamespaceFollower(
              store,
              NAMESPACE,
              builder.settings.get(DegradeConfig.FAULTS_REFRESH_INTERVAL),
              "brownout-faults",
              this::refresh);
      refresh();
      follower.start();
    } else {
      this.audit = null;
      this.follower = null;
    }
  }

  /**
   * Starts a builder whose experiments are kept in {@code store}: the store every server shares, so
   * that an experiment runs, and ends, on all of them.
   */
  public static Builder builder(StateStore store) {
    return new Builder(store);
  }

  /** Whether experiments may run ({@code brownout.degrade.faults.enabled}). */
  public boolean enabled() {
    return enabled;
  }

  /** The longest an experiment may run. */
  public Duration maxDuration() {
    return maxDuration;
  }

  /**
   * The guard that injects into guarded calls, for {@code GuardedProxies.builder().add(...)}; it
   * guards nothing while fault injection is off.
   */
  public List<GuardFactory> guards() {
    return List.of(new FaultGuard(this));
  }

  /**
   * {@code store} with faults injected into its reads, updates, deletes and lists for experiments
   * that target {@code name}; {@code store} itself while fault injection is off. Wrap the store
   * before handing it to the module whose store calls should fail (sessions, flags).
   */
  public StateStore wrap(StateStore store, String name) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(name, "name");
    return enabled ? new FaultyStateStore(store, name, this) : store;
  }

  /** The admin routes under {@code /api/v1/faults}; see the admin API reference. */
  public List<AdminRoute> adminRoutes() {
    return FaultRoutes.routes(this);
  }

  /** The experiments running now, on this server's clock. */
  public List<FaultExperiment> running() {
    Instant now = clock.instant();
    List<FaultExperiment> all = new ArrayList<>();
    for (Compiled compiled : active) {
      if (compiled.experiment.activeAt(now)) {
        all.add(compiled.experiment);
      }
    }
    return all;
  }

  /** The time on this server's clock. */
  Instant now() {
    return clock.instant();
  }

  /** Faults this server injected for experiment {@code id} while it ran. */
  long injectedHere(String id) {
    Compiled compiled = byId.get(id);
    return compiled == null ? 0 : compiled.injected.sum();
  }

  /** The stored experiment and its version. */
  Optional<Stored> read(String id) {
    return store.read(NAMESPACE, id).map(this::decode);
  }

  /** An experiment with the version of its record. */
  record Stored(FaultExperiment experiment, long version) {}

  private Stored decode(StateRecord record) {
    return new Stored(
        codec.decode(record.field(FIELD).orElseThrow(), FaultExperiment.class), record.version());
  }

  /**
   * Starts (or, with {@code ifVersion}, replaces) experiment {@code id} on every server.
   *
   * @throws IllegalStateException if fault injection is off
   * @throws IllegalArgumentException listing every problem of the request
   * @throws dev.brownout.state.PreconditionFailedException if the experiment exists (without {@code
   *     ifVersion}) or has moved on (with it)
   */
  Stored start(String id, FaultExperiment.Request request, String who, OptionalLong ifVersion) {
    if (!enabled) {
      throw new IllegalStateException(
          "fault injection is off on this server: set brownout.degrade.faults.enabled=true to"
              + " allow experiments");
    }
    if (!id.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException(
          "an experiment id is 1 to 64 lower-case letters, digits, '.', '_' or '-' but was '"
              + id
              + "'");
    }
    List<String> problems = request.problems(maxDuration, maxLatency, segments != null);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "experiment " + id + " is invalid: " + String.join("; ", problems));
    }
    FaultExperiment experiment = request.start(id, clock.instant(), who);
    compile(experiment, 0); // patterns that do not compile fail here, before anything is stored
    WriteResult written =
        store.update(
            NAMESPACE,
            id,
            Update.builder()
                .set(FIELD, codec.encode(experiment))
                .expireAt(experiment.endsAt().plus(GRACE))
                .precondition(
                    ifVersion.isPresent()
                        ? Precondition.versionEquals(ifVersion.getAsLong())
                        : Precondition.absent())
                .build());
    log.warn(
        "Fault-injection experiment {} started by {}: {} until {}",
        id,
        who,
        experiment.fault(),
        experiment.endsAt());
    refresh();
    return new Stored(experiment, written.version());
  }

  /** Stops experiment {@code id} on every server; false if there was none. */
  boolean stop(String id, OptionalLong ifVersion) {
    boolean deleted =
        store.delete(
            NAMESPACE,
            id,
            ifVersion.isPresent()
                ? Precondition.versionEquals(ifVersion.getAsLong())
                : Precondition.none());
    if (deleted) {
      log.warn("Fault-injection experiment {} stopped", id);
    }
    refresh();
    return deleted;
  }

  /** Every stored experiment, read from the store now (the ones that ran out included). */
  List<Stored> stored() {
    List<Stored> all = new ArrayList<>();
    for (StateRecord record : store.list(NAMESPACE)) {
      try {
        all.add(decode(record));
      } catch (RuntimeException e) {
        log.error("Ignoring unreadable experiment {}: {}", record.key(), e.getMessage());
      }
    }
    return all;
  }

  /**
   * Re-reads the experiments; removes, and audits, the ones that ran out. Synchronized: the
   * follower's refresh and the one after a start or stop must not overwrite each other's newer view
   * with an older one.
   */
  synchronized void refresh() {
    if (!enabled) {
      return;
    }
    try {
      Instant now = clock.instant();
      Map<String, Compiled> previous = byId;
      Map<String, Compiled> next = new HashMap<>();
      for (StateRecord record : store.list(NAMESPACE)) {
        Stored stored;
        try {
          stored = decode(record);
        } catch (RuntimeException e) {
          log.error("Ignoring unreadable experiment {}: {}", record.key(), e.getMessage());
          continue;
        }
        if (!now.isBefore(stored.experiment().endsAt())) {
          expire(stored);
          continue;
        }
        Compiled kept = previous.get(record.key());
        next.put(
            record.key(),
            kept != null && kept.version == stored.version()
                ? kept
                : compile(stored.experiment(), stored.version()));
      }
      byId = Map.copyOf(next);
      active = next.values().toArray(NONE);
      outage.recovered();
    } catch (StateException e) {
      outage.failed(
          "running experiments keep running until their end; new ones and stops arrive when it"
              + " is back",
          e);
    }
  }

  /** Removes an experiment that ran out; the server whose removal succeeds audits it. */
  private void expire(Stored stored) {
    FaultExperiment experiment = stored.experiment();
    if (!store.delete(NAMESPACE, experiment.id(), Precondition.versionEquals(stored.version()))) {
      return;
    }
    log.warn("Fault-injection experiment {} ended at {}", experiment.id(), experiment.endsAt());
    AuditSink sink = audit;
    if (sink == null) {
      return;
    }
    try {
      sink.record(
          AuditRecord.builder(
                  clock.instant(), "brownout", "faults.expire", "fault/" + experiment.id())
              .before(codec.encodeToString(FaultRoutes.view(this, experiment, stored.version())))
              .after(null)
              .reason(
                  "ran for its declared "
                      + Duration.between(experiment.startedAt(), experiment.endsAt()))
              .build());
    } catch (RuntimeException e) {
      log.error(
          "The expiry of experiment {} could not be audited: {}", experiment.id(), e.getMessage());
    }
  }

  // --- the hot path

  /** An experiment ready to match calls. */
  static final class Compiled {
    final FaultExperiment experiment;
    final long version;
    final long startsAtMillis;
    final long endsAtMillis;
    final List<Pattern> calls;
    final List<Pattern> stores;
    final Set<String> units;
    final List<String> segments;
    final int threshold;
    final LongAdder injected = new LongAdder();
    final io.micrometer.core.instrument.Counter counter;

    Compiled(FaultExperiment experiment, long version, BrownoutMetrics metrics) {
      this.experiment = experiment;
      this.version = version;
      this.startsAtMillis = experiment.startedAt().toEpochMilli();
      this.endsAtMillis = experiment.endsAt().toEpochMilli();
      this.calls = experiment.calls().stream().map(Compiled::glob).toList();
      this.stores = experiment.stores().stream().map(Compiled::glob).toList();
      this.units = Set.copyOf(experiment.units());
      this.segments = experiment.segments();
      this.threshold = (int) Math.round(experiment.percentage() * UnitBuckets.BUCKETS / 100.0);
      this.counter =
          metrics.counter(OverloadMeters.FAULTS_INJECTED, experiment.id(), experiment.fault());
    }

    static Pattern glob(String pattern) {
      StringBuilder regex = new StringBuilder();
      String[] parts = pattern.split("\\*", -1);
      for (int i = 0; i < parts.length; i++) {
        if (i > 0) {
          regex.append(".*");
        }
        if (!parts[i].isEmpty()) {
          regex.append(Pattern.quote(parts[i]));
        }
      }
      return Pattern.compile(regex.toString());
    }

    boolean live(long nowMillis) {
      return nowMillis >= startsAtMillis && nowMillis < endsAtMillis;
    }
  }

  private Compiled compile(FaultExperiment experiment, long version) {
    return new Compiled(experiment, version, metrics);
  }

  /** The experiment that hits this call of {@code names} (a method's), or null. */
  @Nullable Compiled forCall(List<String> names) {
    Compiled[] now = active;
    if (now.length == 0) {
      return null;
    }
    return select(now, names, true);
  }

  /** The experiment that hits this operation on store {@code name}, or null. */
  @Nullable Compiled forStore(String name) {
    Compiled[] now = active;
    if (now.length == 0) {
      return null;
    }
    return select(now, List.of(name), false);
  }

  private @Nullable Compiled select(Compiled[] candidates, List<String> names, boolean call) {
    long millis = clock.millis();
    String unit = null;
    boolean unitRead = false;
    for (Compiled compiled : candidates) {
      if (!compiled.live(millis) || !matches(call ? compiled.calls : compiled.stores, names)) {
        continue;
      }
      if (!unitRead) {
        unit = unitResolver.get().orElse(null);
        unitRead = true;
      }
      if (selects(compiled, unit)) {
        compiled.injected.increment();
        compiled.counter.increment();
        return compiled;
      }
    }
    return null;
  }

  private static boolean matches(List<Pattern> patterns, List<String> names) {
    for (Pattern pattern : patterns) {
      for (String name : names) {
        if (pattern.matcher(name).matches()) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean selects(Compiled compiled, @Nullable String unit) {
    boolean limited = !compiled.units.isEmpty() || !compiled.segments.isEmpty();
    if (limited) {
      if (unit == null) {
        return false;
      }
      boolean in = compiled.units.contains(unit);
      if (!in && segments != null) {
        for (String segment : compiled.segments) {
          if (segments.contains(segment, unit)) {
            in = true;
            break;
          }
        }
      }
      if (!in) {
        return false;
      }
    }
    int bucket =
        unit == null
            ? ThreadLocalRandom.current().nextInt(UnitBuckets.BUCKETS)
            : UnitBuckets.bucket(compiled.experiment.id(), unit);
    return bucket < compiled.threshold;
  }

  /** For delayed asynchronous calls. */
  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  @Override
  public void close() {
    if (follower != null) {
      follower.close();
    }
    if (audit != null) {
      audit.close();
    }
    scheduler.shutdownNow();
  }

  /** Builds {@link FaultInjection}. Not thread-safe. */
  public static final class Builder {
    private final StateStore store;
    private final Settings settings =
        Settings.of(
            List.of(
                DegradeConfig.FAULTS_ENABLED,
                DegradeConfig.FAULTS_MAX_DURATION,
                DegradeConfig.FAULTS_MAX_LATENCY,
                DegradeConfig.FAULTS_REFRESH_INTERVAL));
    private BrownoutClock clock = BrownoutClock.system();
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    private AuditSink auditSink = new LogAuditSink();
    private Supplier<Optional<String>> unitResolver =
        () -> Optional.ofNullable(MDC.get(UNIT_MDC_KEY));
    private @Nullable SegmentMatcher segments;

    private Builder(StateStore store) {
      this.store =
          Objects.requireNonNull(
              store,
              "FaultInjection.builder(store) needs the store experiments are kept in: the one"
                  + " every server shares, so an experiment runs and ends on all of them");
    }

    /** Whether experiments may run ({@code brownout.degrade.faults.enabled}). Default false. */
    public Builder enabled(boolean enabled) {
      settings.set(DegradeConfig.FAULTS_ENABLED, enabled);
      return this;
    }

    /** The longest an experiment may declare ({@code …faults.max-duration}). Default 1 h. */
    public Builder maxDuration(Duration duration) {
      settings.set(DegradeConfig.FAULTS_MAX_DURATION, duration);
      return this;
    }

    /** The most latency an experiment may add ({@code …faults.max-latency}). Default 30 s. */
    public Builder maxLatency(Duration latency) {
      settings.set(DegradeConfig.FAULTS_MAX_LATENCY, latency);
      return this;
    }

    /** How often experiments are re-read ({@code …faults.refresh-interval}). Default 1 s. */
    public Builder refreshInterval(Duration interval) {
      settings.set(DegradeConfig.FAULTS_REFRESH_INTERVAL, interval);
      return this;
    }

    /** Reads {@code brownout.degrade.faults.*} from {@code config}. */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    /** The clock experiments start and end by. Default: the system's. */
    public Builder clock(BrownoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where {@link OverloadMeters}' fault meters go. Default: in memory. */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * Where the record of an experiment that ended by itself goes: the admin API's audit sink, so
     * the trail shows every start, stop and end. Default: the log.
     */
    public Builder auditSink(AuditSink sink) {
      this.auditSink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /** The unit of the current call (user, account). Default: the MDC's {@value #UNIT_MDC_KEY}. */
    public Builder unitResolver(Supplier<Optional<String>> resolver) {
      this.unitResolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /** Segment membership, so experiments can target segments. Default: none (refused). */
    public Builder segments(SegmentMatcher matcher) {
      this.segments = Objects.requireNonNull(matcher, "matcher");
      return this;
    }

    /** Builds it, and follows the store's experiments if fault injection is on. */
    public FaultInjection build() {
      return new FaultInjection(this);
    }
  }
}
