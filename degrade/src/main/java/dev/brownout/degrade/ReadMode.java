package dev.brownout.degrade;

import dev.brownout.core.admin.AdminRoute;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.CoreConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.internal.OutageLog;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.metrics.MeterSpec;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.Namespace;
import dev.brownout.state.NamespaceFollower;
import dev.brownout.state.Precondition;
import dev.brownout.state.StateException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the application is read-write or browse-only, and why.
 *
 * <p>Reasons are kept in the store's small namespace {@value #NAMESPACE_NAME}, one record per
 * reason, so every server agrees; a reason's lease is its record's expiry, so an automatic reason
 * lapses by itself unless it is renewed. Each server sees a change through the store's watch, and
 * re-reads the namespace every {@link Builder#refreshInterval(Duration)}; that interval, plus the
 * store's notification delay, is the most a server can lag behind another.
 *
 * <p>A server also keeps reasons of its own ({@link #enterLocally}), for when the store itself is
 * what failed: if {@link #enter} cannot reach the store, the reason is held locally and the failure
 * rethrown. The application is browse-only while any shared or local reason is active.
 */
public final class ReadMode implements AutoCloseable {
  /** The name of the namespace reasons are kept in. */
  public static final String NAMESPACE_NAME = "brownout-read-mode";

  /** The namespace reasons are kept in. */
  public static final Namespace NAMESPACE = Namespace.small(NAMESPACE_NAME);

  /** Where servers announce themselves in quorum mode, one leased record each. */
  public static final Namespace SERVERS = Namespace.small("brownout-servers");

  /** Whether this server is browse-only: 1 or 0. */
  public static final MeterSpec MODE =
      MeterSpec.gauge(
          "brownout.read_mode.browse_only", "1 while this server is browse-only, else 0.", "");

  /** Writes refused while browse-only. */
  public static final MeterSpec REFUSED =
      MeterSpec.counter(
          "brownout.read_mode.refused_writes",
          "Writes refused because the application is browse-only, by gate: filter (HTTP 503) or"
              + " guard (@WriteOperation).",
          "gate");

  private static final Logger log = LoggerFactory.getLogger(ReadMode.class);
  private static final String FIELD = "reason";

  private final StateStore store;
  private final BrownoutClock clock;
  private final JsonCodec codec = JsonCodec.standard();
  private volatile List<ReadOnlyReason> shared = List.of();
  // Bumped by every local edit of the shared view, so a refresh that read the store before the edit
  // does not put the older view back.
  private final AtomicLong edits = new AtomicLong();
  private final Map<String, ReadOnlyReason> local = new ConcurrentHashMap<>();
  private final List<ReadModeListener> listeners = new CopyOnWriteArrayList<>();
  private final NamespaceFollower follower;
  private volatile Mode lastNotified = Mode.READ_WRITE;
  private final Duration refreshInterval;
  private final OutageLog outage;
  private final BrownoutMetrics metrics;
  private final String serverId;
  private final FleetMode fleetMode;
  private final double quorum;
  private volatile int liveServers;
  private volatile Instant lastHeartbeat = Instant.EPOCH;

  private ReadMode(Builder builder) {
    this.store = builder.store;
    this.clock = builder.clock;
    this.refreshInterval = builder.settings.get(DegradeConfig.READ_MODE_REFRESH_INTERVAL);
    this.metrics = builder.metrics;
    this.serverId =
        builder.settings.find(CoreConfig.SERVER_ID).orElseGet(ReadMode::defaultServerId);
    this.fleetMode = builder.settings.get(DegradeConfig.WRITE_PATH_FLEET);
    this.quorum = builder.settings.get(DegradeConfig.WRITE_PATH_QUORUM);
    this.outage =
        new OutageLog(
            log,
            "Read-mode store (" + store.kind() + ")",
            clock,
            OutageLog.DEFAULT_SUMMARY_INTERVAL);
    this.follower =
        new NamespaceFollower(
            store, NAMESPACE, refreshInterval, "brownout-read-mode", this::refresh);
    builder.metrics.gauge(MODE, this, mode -> mode.mode() == Mode.BROWSE_ONLY ? 1 : 0);
    refresh();
    follower.start();
  }

  /**
   * Starts a builder for a read mode whose reasons are kept in {@code store}. Every server that
   * should agree on the mode must share the store; a single-process application (or a test) passes
   * {@code InMemoryStateStore.create()}, and then only this process sees its reasons.
   */
  /** The clock reasons are dated by, for the admin routes. */
  BrownoutClock clock() {
    return clock;
  }

  public static Builder builder(StateStore store) {
    return new Builder(store);
  }

  /**
   * The guards for {@link WriteOperation} and {@link ReadOnlySafe} on service methods, for {@code
   * GuardedProxies.builder().add(...)}.
   */
  public List<GuardFactory> guards() {
    return List.of(new ReadModeGuard(this));
  }

  /** The mode now. Reads only memory. */
  public Mode mode() {
    Instant now = clock.instant();
    for (ReadOnlyReason reason : shared) {
      if (reason.activeAt(now) && applies(reason, now)) {
        return Mode.BROWSE_ONLY;
      }
    }
    for (ReadOnlyReason reason : local.values()) {
      if (reason.activeAt(now) && applies(reason, now)) {
        return Mode.BROWSE_ONLY;
      }
    }
    return Mode.READ_WRITE;
  }

  /**
   * Whether a reason holds on this server: reasons of the whole application always do; a server's
   * own automatic reason does on that server, and on the others as the fleet mode says.
   */
  private boolean applies(ReadOnlyReason reason, Instant now) {
    String reporter = reason.server();
    if (reporter == null || reporter.equals(serverId)) {
      return true;
    }
    return switch (fleetMode) {
      case OWN -> false;
      case ANY -> true;
      case QUORUM -> quorumReached(now);
    };
  }

  private boolean quorumReached(Instant now) {
    Set<String> failing = new HashSet<>();
    for (ReadOnlyReason reason : shared) {
      if (reason.server() != null && reason.activeAt(now)) {
        failing.add(reason.server());
      }
    }
    int live = Math.max(liveServers, failing.size());
    return live > 0 && failing.size() > quorum * live;
  }

  /** This server's name in the fleet ({@code brownout.server.id}). */
  public String serverId() {
    return serverId;
  }

  /** How other servers' automatic reasons affect this one. */
  public FleetMode fleetMode() {
    return fleetMode;
  }

  /**
   * Every active reason the store holds, those of other servers that do not apply here included:
   * for the admin API's fleet view.
   */
  public List<ReadOnlyReason> allReasons() {
    Instant now = clock.instant();
    Map<String, ReadOnlyReason> all = new LinkedHashMap<>();
    shared.stream().filter(r -> r.activeAt(now)).forEach(r -> all.put(r.id(), r));
    local.values().stream().filter(r -> r.activeAt(now)).forEach(r -> all.putIfAbsent(r.id(), r));
    List<ReadOnlyReason> sorted = new ArrayList<>(all.values());
    sorted.sort(Comparator.comparing(ReadOnlyReason::since));
    return sorted;
  }

  /** Servers announced in the store as live (quorum mode only; 0 otherwise). */
  public int liveServers() {
    return liveServers;
  }

  /** Counts a write refused by {@code gate} ({@code filter} or {@code guard}). */
  void refused(String gate) {
    metrics.counter(REFUSED, gate).increment();
  }

  /** How often reasons are re-read; for tests. */
  Duration refreshInterval() {
    return refreshInterval;
  }

  /** Whether the application is browse-only now. */
  public boolean isBrowseOnly() {
    return mode() == Mode.BROWSE_ONLY;
  }

  /** The active reasons in force on this server, shared and local, oldest first. */
  public List<ReadOnlyReason> reasons() {
    Instant now = clock.instant();
    Map<String, ReadOnlyReason> all = new LinkedHashMap<>();
    shared.stream()
        .filter(r -> r.activeAt(now) && applies(r, now))
        .forEach(r -> all.put(r.id(), r));
    local.values().stream()
        .filter(r -> r.activeAt(now) && applies(r, now))
        .forEach(r -> all.putIfAbsent(r.id(), r));
    List<ReadOnlyReason> sorted = new ArrayList<>(all.values());
    sorted.sort(Comparator.comparing(ReadOnlyReason::since));
    return sorted;
  }

  /** When writes should work again: the latest ETA, if every active reason has one. */
  public Optional<Instant> retryAfter() {
    Instant latest = null;
    for (ReadOnlyReason reason : reasons()) {
      if (reason.eta() == null) {
        return Optional.empty();
      }
      latest = latest == null || reason.eta().isAfter(latest) ? reason.eta() : latest;
    }
    return Optional.ofNullable(latest);
  }

  /**
   * Throws if the application is browse-only: for code that writes without the gate, or that has
   * just seen a write fail and wants to know whether that failure put the application in
   * browse-only mode. {@link ReadModeFilter} turns the exception into its 503.
   *
   * @throws ReadOnlyModeException naming {@code operation}, the reasons and the ETA
   */
  public void checkWritable(String operation) {
    if (isBrowseOnly()) {
      throw new ReadOnlyModeException(operation, reasons(), retryAfter().orElse(null));
    }
  }

  /**
   * Adds a reason for every server (replacing one with the same id).
   *
   * @throws StateUnavailableException if the store cannot be reached; the reason is then held by
   *     this server alone
   * @throws StateException if the store refuses the reason (too large); nothing changed
   */
  public void enter(ReadOnlyReason reason) {
    try {
      enterShared(reason);
    } catch (StateUnavailableException e) {
      local.put(reason.id(), reason);
      changed();
      throw e;
    }
  }

  /**
   * Adds a reason for every server, or for none: unlike {@link #enter}, a reason the store cannot
   * take is not held on this server. The admin API sets reasons this way, so that an operator's
   * change is either in force everywhere or refused.
   *
   * @throws StateException if the store cannot be reached or refuses the reason (too large);
   *     nothing changed
   */
  public void enterShared(ReadOnlyReason reason) {
    Objects.requireNonNull(reason, "reason");
    Update.Builder update = Update.builder().set(FIELD, codec.encode(reason));
    if (reason.leaseUntil() != null) {
      update.expireAt(reason.leaseUntil());
    } else {
      update.persist();
    }
    store.update(NAMESPACE, reason.id(), update.build());
    synchronized (this) {
      edits.incrementAndGet();
      List<ReadOnlyReason> latest = new ArrayList<>(shared);
      latest.removeIf(r -> r.id().equals(reason.id()));
      latest.add(reason);
      shared = List.copyOf(latest);
    }
    changed();
  }

  /**
   * Adds a reason for this server only: for failures it detects itself, such as the store being
   * down.
   */
  public void enterLocally(ReadOnlyReason reason) {
    local.put(Objects.requireNonNull(reason, "reason").id(), reason);
    changed();
  }

  /**
   * Removes a reason, shared or local; other reasons stay.
   *
   * @return whether there was such a reason
   * @throws dev.brownout.state.StateUnavailableException if the store cannot be reached (the local
   *     reason, if any, is removed all the same)
   */
  public boolean leave(String id) {
    boolean wasLocal = local.remove(id) != null;
    boolean wasShared = shared.stream().anyMatch(r -> r.id().equals(id));
    try {
      boolean deleted = store.delete(NAMESPACE, id, Precondition.none());
      synchronized (this) {
        edits.incrementAndGet();
        shared = shared.stream().filter(r -> !r.id().equals(id)).toList();
      }
      return deleted || wasLocal || wasShared;
    } finally {
      changed();
    }
  }

  /**
   * Moves a reason's lease to {@code until}; an automatic reason whose setter keeps failing renews
   * it, and it lapses when the renewals stop.
   */
  public void renew(String id, Instant until) {
    ReadOnlyReason mine = local.get(id);
    if (mine != null) {
      local.put(id, mine.renewedUntil(until));
    }
    Optional<ReadOnlyReason> current = shared.stream().filter(r -> r.id().equals(id)).findFirst();
    if (current.isPresent()) {
      enter(current.get().renewedUntil(until));
    } else {
      changed();
    }
  }

  /**
   * The admin routes: {@code GET /api/v1/read-mode}, and {@code PUT} and {@code DELETE} of {@code
   * /api/v1/read-mode/reasons/{id}} to set and clear manual and maintenance reasons.
   */
  public List<AdminRoute> adminRoutes() {
    return DegradeRoutes.readMode(this);
  }

  /** Tells {@code listener} about every change of mode from now on. */
  public void addListener(ReadModeListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** The host name and process id: unique enough within a fleet without configuration. */
  static String defaultServerId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException | RuntimeException e) {
      host = "server";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  /** In quorum mode: announces this server as live, and counts the live ones. */
  private void heartbeat() {
    if (fleetMode != FleetMode.QUORUM) {
      return;
    }
    Instant now = clock.instant();
    try {
      if (!now.isBefore(lastHeartbeat.plus(refreshInterval))) {
        store.update(
            SERVERS,
            serverId,
            Update.builder()
                .set("seen", now.toString())
                .expireAt(now.plus(refreshInterval.multipliedBy(5)))
                .build());
        lastHeartbeat = now;
      }
      liveServers = store.list(SERVERS).size();
    } catch (StateException e) {
      outage.failed("keeping the last known count of live servers", e);
    }
  }

  private void refresh() {
    heartbeat();
    long before = edits.get();
    try {
      List<ReadOnlyReason> read = new ArrayList<>();
      for (StateRecord record : store.list(NAMESPACE)) {
        try {
          read.add(codec.decode(record.field(FIELD).orElseThrow(), ReadOnlyReason.class));
        } catch (RuntimeException e) {
          log.error("Ignoring unreadable read-only reason {}: {}", record.key(), e.getMessage());
        }
      }
      synchronized (this) {
        if (edits.get() != before) {
          // An edit landed while the store was read; read again rather than undo it.
          follower.execute(this::refresh);
          return;
        }
        shared = List.copyOf(read);
      }
      outage.recovered();
    } catch (StateException e) {
      outage.failed("keeping the last known read-only reasons", e);
    }
    changed();
  }

  /** Notifies listeners if the mode differs from what they were last told. */
  private synchronized void changed() {
    Mode now = mode();
    if (now != lastNotified) {
      lastNotified = now;
      List<ReadOnlyReason> reasons = reasons();
      log.warn(
          "The application is now {}{}",
          now.headerValue(),
          reasons.isEmpty() ? "" : ": " + reasons.stream().map(ReadOnlyReason::message).toList());
      for (ReadModeListener listener : listeners) {
        follower.execute(
            () -> {
              try {
                listener.modeChanged(now, reasons);
              } catch (RuntimeException e) {
                log.warn("A read-mode listener failed", e);
              }
            });
      }
    }
  }

  /**
   * Re-checks leases now, and notifies listeners of a change; the background does this every
   * interval.
   */
  public void checkLeases() {
    changed();
  }

  @Override
  public void close() {
    follower.close();
  }

  /** Builds a {@link ReadMode}. Not thread-safe. */
  public static final class Builder {
    private final StateStore store;
    private final Settings settings =
        Settings.of(
            List.of(
                DegradeConfig.READ_MODE_REFRESH_INTERVAL,
                DegradeConfig.WRITE_PATH_FLEET,
                DegradeConfig.WRITE_PATH_QUORUM,
                CoreConfig.SERVER_ID));
    private BrownoutClock clock = BrownoutClock.system();
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();

    private Builder(StateStore store) {
      this.store =
          Objects.requireNonNull(
              store,
              "ReadMode.builder(store) needs the store read-only reasons are kept in: the shared"
                  + " Redis or DynamoDB store, or InMemoryStateStore.create() for a single process");
    }

    /** The clock leases run on. */
    public Builder clock(BrownoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where the mode gauge goes. Default: an in-memory registry. */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * How often reasons are re-read and leases re-checked ({@code
     * brownout.degrade.read-mode.refresh-interval}). Default 1 second.
     */
    public Builder refreshInterval(Duration interval) {
      settings.set(DegradeConfig.READ_MODE_REFRESH_INTERVAL, interval);
      return this;
    }

    /** This server's name in the fleet ({@code brownout.server.id}); default host and pid. */
    public Builder serverId(String id) {
      settings.set(CoreConfig.SERVER_ID, id);
      return this;
    }

    /**
     * How another server's automatic reason affects this one ({@code
     * brownout.degrade.write-path.fleet}). Default {@link FleetMode#OWN}.
     */
    public Builder fleetMode(FleetMode mode) {
      settings.set(DegradeConfig.WRITE_PATH_FLEET, mode);
      return this;
    }

    /** In quorum mode, the share of live servers that must fail ({@code …write-path.quorum}). */
    public Builder quorum(double share) {
      settings.set(DegradeConfig.WRITE_PATH_QUORUM, share);
      return this;
    }

    /** Reads {@code brownout.degrade.read-mode.*} from {@code config}; setters win. */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    /** Reads the reasons and starts watching. */
    public ReadMode build() {
      return new ReadMode(this);
    }
  }
}
