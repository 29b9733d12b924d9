package dev.brownout.flags;

import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.AuditSink;
import dev.brownout.core.admin.LogAuditSink;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.Settings;
import dev.brownout.core.internal.DaemonThreads;
import dev.brownout.core.internal.OutageLog;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.metrics.MeterSpec;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.StateException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.Update;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link RolloutPlan}s: advances each plan's flag through its steps, on schedule or by hand,
 * and halts it, rolling back to the last safe step, the moment a guard trips. Every transition is
 * written to the audit trail.
 *
 * <p>A plan's progress is a record in the store's namespace {@code brownout-rollouts}, and every
 * transition is a compare-and-set on it: several servers can run the same plan (each checks its own
 * guards, and any of them can halt it), and each step still happens once. If the flag itself could
 * not be updated, the next tick sets it to the plan's percentage again.
 */
public final class Rollouts implements AutoCloseable {
  /** The namespace plan progress is kept in. */
  public static final Namespace NAMESPACE = Namespace.small("brownout-rollouts");

  /** Plan transitions. */
  public static final MeterSpec TRANSITIONS =
      MeterSpec.counter(
          "brownout.feature_flag.rollout.transitions",
          "Rollout plan transitions by flag and kind: step (advanced), halt (a guard tripped or an"
              + " operator halted it).",
          "feature_flag.key",
          "transition");

  private static final Logger log = LoggerFactory.getLogger(Rollouts.class);
  private static final String FIELD = "progress";

  /** Where a plan is. */
  public enum State {
    /** Advancing through its steps. */
    RUNNING,
    /** Stopped by a guard or by hand, rolled back to its last safe step. */
    HALTED,
    /** At its last step. */
    COMPLETED
  }

  /**
   * A plan's progress.
   *
   * @param flag the flag
   * @param step the index of the current step; -1 when halted before the first step completed
   * @param percentage the flag's rollout percentage now
   * @param state where the plan is
   * @param reason why it halted, if it did
   * @param changedAt when it last moved
   */
  public record Status(
      String flag,
      int step,
      double percentage,
      State state,
      @Nullable String reason,
      Instant changedAt) {}

  private final Flags flags;
  private final AuditSink audit;
  private final BrownoutClock clock;
  private final BrownoutMetrics metrics;
  private final JsonCodec codec = JsonCodec.standard();
  private final Map<String, RolloutPlan> plans = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;
  private final Duration tickInterval;
  private final OutageLog outage;

  private Rollouts(Builder builder) {
    this.flags = builder.flags;
    this.audit = builder.auditSink;
    this.clock = builder.clock;
    this.metrics = builder.metrics;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("brownout-rollouts"));
    this.tickInterval = builder.settings.get(FlagsConfig.ROLLOUT_TICK_INTERVAL);
    this.outage =
        new OutageLog(
            log,
            "Rollout store (" + flags.store().kind() + ")",
            clock,
            OutageLog.DEFAULT_SUMMARY_INTERVAL);
    if (!builder.manualTicks) {
      long millis = tickInterval.toMillis();
      scheduler.scheduleWithFixedDelay(this::tickSafely, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  /** How often plans are checked; for tests. */
  Duration tickInterval() {
    return tickInterval;
  }

  /** Starts a builder for plans over {@code flags}. */
  public static Builder builder(Flags flags) {
    return new Builder(flags);
  }

  /**
   * Starts a plan, or resumes it if this or another server started it already: the flag goes to the
   * first step's percentage.
   *
   * @throws FlagConflictException if the flag does not exist
   */
  public Status start(RolloutPlan plan) {
    plans.put(plan.flag(), plan);
    Optional<Progress> existing = read(plan.flag());
    if (existing.isPresent()) {
      reconcile(plan, existing.get());
      return existing.get().status(plan);
    }
    Progress first = new Progress(0, State.RUNNING, null, clock.millis(), -1);
    if (write(plan.flag(), first, Precondition.absent())) {
      apply(plan, first, null, "rollout plan started");
      return first.status(plan);
    }
    return status(plan.flag());
  }

  /** A running plan's progress. */
  public Status status(String flag) {
    RolloutPlan plan = plan(flag);
    return read(flag)
        .map(p -> p.status(plan))
        .orElseThrow(
            () ->
                new FlagConflictException(
                    FlagConflictException.Kind.NOT_FOUND,
                    "no rollout plan for '" + flag + "' has started"));
  }

  /**
   * Moves a running plan to its next step now, if its guards allow.
   *
   * @return the progress after
   */
  public Status advance(String flag) {
    RolloutPlan plan = plan(flag);
    Progress current =
        read(flag)
            .orElseThrow(
                () ->
                    new FlagConflictException(
                        FlagConflictException.Kind.NOT_FOUND,
                        "no rollout plan for '" + flag + "' has started"));
    Optional<String> tripped = trippedGuard(plan);
    if (tripped.isPresent()) {
      halt(plan, current, tripped.get());
    } else if (current.state == State.RUNNING) {
      next(plan, current, "advanced by hand");
    }
    return status(flag);
  }

  /** Halts a plan by hand and rolls its flag back to the last safe step. */
  public Status halt(String flag, String reason) {
    RolloutPlan plan = plan(flag);
    read(flag).ifPresent(current -> halt(plan, current, reason));
    return status(flag);
  }

  /**
   * Checks every plan on this server once: halts those whose guards trip, advances those that are
   * due.
   */
  public void tick() {
    for (RolloutPlan plan : plans.values()) {
      Optional<Progress> read = read(plan.flag());
      if (read.isEmpty()) {
        continue;
      }
      Progress current = read.get();
      if (current.state == State.HALTED) {
        reconcile(plan, current);
        continue;
      }
      Optional<String> tripped = trippedGuard(plan);
      if (tripped.isPresent()) {
        halt(plan, current, tripped.get());
      } else if (current.state == State.RUNNING
          && plan.interval() != null
          && clock.millis() - current.changedAt >= plan.interval().toMillis()) {
        next(plan, current, "advanced on schedule");
      } else {
        reconcile(plan, current);
      }
    }
  }

  private void tickSafely() {
    try {
      tick();
      outage.recovered();
    } catch (RuntimeException e) {
      outage.failed("rollout plans wait for the next tick", e);
    }
  }

  private Optional<String> trippedGuard(RolloutPlan plan) {
    for (RolloutGuard guard : plan.guards()) {
      Optional<String> reason;
      try {
        reason = guard.tripped();
      } catch (RuntimeException e) {
        reason = Optional.of("a guard failed to answer: " + e);
      }
      if (reason.isPresent()) {
        return reason;
      }
    }
    return Optional.empty();
  }

  private void next(RolloutPlan plan, Progress current, String why) {
    int step = current.step + 1;
    if (step >= plan.steps().size()) {
      return;
    }
    State state = step == plan.steps().size() - 1 ? State.COMPLETED : State.RUNNING;
    Progress after = new Progress(step, state, null, clock.millis(), current.version);
    if (write(plan.flag(), after, Precondition.versionEquals(current.version))) {
      apply(plan, after, current, why);
    }
  }

  private void halt(RolloutPlan plan, Progress current, String reason) {
    if (current.state == State.HALTED) {
      return;
    }
    // The last safe step is the one before the current: the current one is where trouble showed.
    Progress after =
        new Progress(current.step - 1, State.HALTED, reason, clock.millis(), current.version);
    if (write(plan.flag(), after, Precondition.versionEquals(current.version))) {
      log.warn(
          "Rollout of {} halted at {}% and rolled back to {}%: {}",
          plan.flag(), current.percentage(plan), after.percentage(plan), reason);
      apply(plan, after, current, "halted: " + reason);
    }
  }

  /** Sets the flag to the plan's percentage, and audits the move. */
  private void apply(RolloutPlan plan, Progress after, @Nullable Progress before, String why) {
    setPercentage(plan.flag(), after.percentage(plan));
    metrics
        .counter(TRANSITIONS, plan.flag(), after.state == State.HALTED ? "halt" : "step")
        .increment();
    try {
      audit.record(
          new AuditRecord(
              clock.instant(),
              "rollout-plan",
              after.state == State.HALTED ? "flags.rollout.halt" : "flags.rollout.step",
              "flag " + plan.flag(),
              before == null ? null : codec.encodeToString(before.status(plan)),
              codec.encodeToString(after.status(plan)),
              why));
    } catch (RuntimeException e) {
      log.error("Could not audit the rollout of {}: {}", plan.flag(), e.getMessage());
    }
  }

  private void reconcile(RolloutPlan plan, Progress progress) {
    double wanted = progress.percentage(plan);
    Optional<FlagDefinition> definition = flags.snapshot().definition(plan.flag());
    if (definition.isPresent() && FlagAdmin.exposure(definition.get()) != wanted) {
      setPercentage(plan.flag(), wanted);
    }
  }

  private void setPercentage(String flag, double percentage) {
    try {
      flags
          .admin()
          .update(
              flag,
              definition -> definition.withRolloutPercentage(percentage),
              OptionalLong.empty(),
              true);
    } catch (StateException e) {
      outage.failed("setting " + flag + " to " + percentage + "% waits for the next tick", e);
    }
  }

  private RolloutPlan plan(String flag) {
    RolloutPlan plan = plans.get(flag);
    if (plan == null) {
      throw new FlagConflictException(
          FlagConflictException.Kind.NOT_FOUND,
          "no rollout plan for '" + flag + "' runs on this server; start(plan) it first");
    }
    return plan;
  }

  private Optional<Progress> read(String flag) {
    return flags.store().read(NAMESPACE, flag).map(this::decode);
  }

  private Progress decode(StateRecord record) {
    Stored stored = codec.decode(record.field(FIELD).orElseThrow(), Stored.class);
    return new Progress(
        stored.step(),
        State.valueOf(stored.state()),
        stored.reason(),
        stored.changedAt(),
        record.version());
  }

  private boolean write(String flag, Progress progress, Precondition precondition) {
    try {
      flags
          .store()
          .update(
              NAMESPACE,
              flag,
              Update.builder()
                  .set(
                      FIELD,
                      codec.encode(
                          new Stored(
                              progress.step,
                              progress.state.name(),
                              progress.reason,
                              progress.changedAt)))
                  .precondition(precondition)
                  .build());
      return true;
    } catch (PreconditionFailedException e) {
      // Another server moved the plan first; it applies the change.
      return false;
    }
  }

  /** The stored form of progress. */
  record Stored(int step, String state, @Nullable String reason, long changedAt) {}

  /** Progress with the version it was read at. */
  private record Progress(
      int step, State state, @Nullable String reason, long changedAt, long version) {
    double percentage(RolloutPlan plan) {
      return step < 0 ? 0 : plan.steps().get(step);
    }

    Status status(RolloutPlan plan) {
      return new Status(
          plan.flag(), step, percentage(plan), state, reason, Instant.ofEpochMilli(changedAt));
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }

  /** Builds {@link Rollouts}. Not thread-safe. */
  public static final class Builder {
    private final Flags flags;
    private final Settings settings = Settings.of(List.of(FlagsConfig.ROLLOUT_TICK_INTERVAL));
    private AuditSink auditSink = new LogAuditSink();
    private BrownoutClock clock = BrownoutClock.system();
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    private boolean manualTicks;

    private Builder(Flags flags) {
      this.flags =
          Objects.requireNonNull(flags, "Rollouts.builder(flags) needs the Flags it rolls out");
    }

    /** Where transitions are audited. Default: the log. */
    public Builder auditSink(AuditSink sink) {
      this.auditSink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /** The clock that decides when a step is due. */
    public Builder clock(BrownoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where transition counts go. Default: an in-memory registry. */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * How often guards are checked and steps advanced ({@code
     * brownout.flags.rollouts.tick-interval}). Default every second.
     */
    public Builder tickInterval(Duration interval) {
      settings.set(FlagsConfig.ROLLOUT_TICK_INTERVAL, interval);
      return this;
    }

    /** No background ticks: the application (or a test) calls {@link #tick()} itself. */
    public Builder manualTicks() {
      this.manualTicks = true;
      return this;
    }

    /** Reads {@code brownout.flags.rollouts.*} from {@code config}; setters win. */
    public Builder config(BrownoutConfig config) {
      settings.config(config);
      return this;
    }

    /** Builds the controller. */
    public Rollouts build() {
      return new Rollouts(this);
    }
  }
}
