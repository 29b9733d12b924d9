package dev.brownout.flags;

import com.fasterxml.jackson.annotation.JsonInclude;
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
import dev.brownout.state.StateException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link RolloutPlan}s: advances each plan's flag through its steps, on schedule or by hand,
 * and halts it, rolling back to the last safe step, the moment a guard trips.
 *
 * <p><b>Plans are data.</b> A plan's definition and progress are one record in the store's
 * namespace {@code brownout-rollouts}, keyed by flag; every server with a {@code Rollouts} runs
 * every stored plan, whether it was created in code ({@link #start(RolloutPlan)}) or over the admin
 * API ({@code POST /api/v1/rollouts}), and every move is a compare-and-set on the record, so each
 * step happens once however many servers run it. Each server checks the declared guards (and the
 * guards its own code added), and any server's trip halts the plan.
 *
 * <p><b>The operator wins.</b> A plan writes its flag only to move it to a step it has just taken,
 * only if the flag is still as the plan last left it, and never when the flag already has the
 * step's percentage. Any other change to the flag (a kill, a percentage, new rules: through {@link
 * FlagAdmin}, the admin API, on any server) pauses a running plan, with an audit record saying why;
 * the plan then leaves the flag alone until someone resumes it, and resuming starts from the flag
 * as that person left it.
 *
 * <p>Every move is audited: by the admin API for moves made over HTTP, and here (to {@link
 * Builder#auditSink(AuditSink)}) for moves the plan makes itself and those asked for in code.
 */
public final class Rollouts implements AutoCloseable {
  /** The namespace plans are kept in. */
  public static final Namespace NAMESPACE = Namespace.small("brownout-rollouts");

  /** Plan transitions. */
  public static final MeterSpec TRANSITIONS =
      MeterSpec.counter(
          "brownout.feature_flag.rollout.transitions",
          "Rollout plan moves by flag and kind: start, step (advanced), halt (a guard tripped, or"
              + " halted by hand), pause (by hand, or because a person changed the flag), resume,"
              + " abort.",
          "feature_flag.key",
          "transition");

  /** Who the audit trail names for moves a plan makes by itself. */
  public static final String PLAN_ACTOR = "rollout-plan";

  /** Who the audit trail names for moves asked for through this class's methods. */
  public static final String APPLICATION_ACTOR = "application";

  private static final Logger log = LoggerFactory.getLogger(Rollouts.class);

  /** Where a plan is. */
  public enum State {
    /** Advancing through its steps. */
    RUNNING,
    /** Stopped by hand, or because a person changed the flag; the flag is left as it is. */
    PAUSED,
    /** Stopped by a guard (or halted by hand), rolled back to its last safe step. */
    HALTED,
    /** At its last step. */
    COMPLETED,
    /** Stopped for good by hand; the flag is left as it is. */
    ABORTED;

    /** Whether the plan may still move: running, paused or halted. */
    public boolean active() {
      return this == RUNNING || this == PAUSED || this == HALTED;
    }
  }

  /**
   * One move of a plan.
   *
   * @param at when
   * @param state where it went
   * @param step the step it went to
   * @param percentage that step's percentage
   * @param by who moved it: a person's name, {@value #PLAN_ACTOR} or {@value #APPLICATION_ACTOR}
   * @param reason why
   */
  public record Transition(
      Instant at, State state, int step, double percentage, String by, @Nullable String reason) {}

  /**
   * One guard as this server last checked it.
   *
   * @param guard what it watches
   * @param kind {@code breaker}, {@code meter} or {@code code}
   * @param tripped whether it trips
   * @param detail what it saw
   * @param checkedAt when
   */
  public record GuardState(
      String guard, String kind, boolean tripped, String detail, Instant checkedAt) {}

  /**
   * A plan's definition and progress.
   *
   * @param flag the flag
   * @param step the index of the current step; -1 when halted before the first step completed
   * @param percentage the current step's percentage
   * @param state where the plan is
   * @param reason why it is paused, halted or aborted, if it is
   * @param changedAt when it last moved
   * @param steps the plan's percentages
   * @param every how long each step lasts, or null if steps advance by hand
   * @param guards the declared guards
   * @param history the latest moves, oldest first
   * @param nextStepAt when the next step is due, if the plan is running on a schedule
   * @param version the stored version, the basis of ETags
   */
  public record Status(
      String flag,
      int step,
      double percentage,
      State state,
      @Nullable String reason,
      Instant changedAt,
      List<Double> steps,
      @Nullable Duration every,
      List<GuardDefinition> guards,
      List<Transition> history,
      @Nullable Instant nextStepAt,
      long version) {}

  /** A plan as the admin API and the audit trail show it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record View(
      String flag,
      State state,
      int step,
      double percentage,
      List<Double> steps,
      @Nullable String every,
      @Nullable List<GuardDefinition> guards,
      @Nullable String reason,
      Instant startedAt,
      Instant changedAt,
      @Nullable Instant nextStepAt,
      @Nullable List<Transition> history,
      @Nullable List<GuardState> guardStates,
      long version) {}

  /** A plan's record, whether the plan may still set its flag, and the flag as read. */
  private record Owned(RolloutRecord plan, boolean owns, FlagAdmin.@Nullable Raw flag) {}

  private final Flags flags;
  private final AuditSink audit;
  private final BrownoutClock clock;
  private final BrownoutMetrics metrics;
  private final GuardChecks checks;
  private final JsonCodec codec = JsonCodec.standard();
  // Plans whose code runs on this server, for the guards written in that code.
  private final Map<String, RolloutPlan> local = new ConcurrentHashMap<>();
  private final Map<String, List<GuardState>> guardStates = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;
  private final Duration tickInterval;
  private final OutageLog outage;

  private Rollouts(Builder builder) {
    this.flags = builder.flags;
    this.audit =
        builder.auditSink != null
            ? builder.auditSink
            : flags.auditSink().orElseGet(LogAuditSink::new);
    this.clock = builder.clock;
    this.metrics = builder.metrics;
    this.checks =
        new GuardChecks(
            builder.breakers, builder.meters != null ? builder.meters : metrics.registry());
    this.tickInterval = builder.settings.get(FlagsConfig.ROLLOUT_TICK_INTERVAL);
    this.outage =
        new OutageLog(
            log,
            "Rollout store (" + flags.store().kind() + ")",
            clock,
            OutageLog.DEFAULT_SUMMARY_INTERVAL);
    flags.attach(this);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("brownout-rollouts"));
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

  // --- the Java API: the same moves as the admin routes, audited here

  /**
   * Starts a plan, or joins it if this or another server started the same plan already: its guards
   * written in code are then checked here too. A plan that is finished (completed or aborted) is
   * replaced by a different one; a different plan in progress is an error. A new plan moves the
   * flag to its first step at once, unless the flag is killed: then it starts paused.
   *
   * @throws FlagConflictException if the flag does not exist, or a different plan is in progress
   * @throws IllegalArgumentException if a declared guard names a breaker this server does not have
   */
  public Status start(RolloutPlan plan) {
    List<String> problems = checks.problems(plan.declaredGuards());
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "rollout plan for '"
              + plan.flag()
              + "' cannot run on this server: "
              + String.join("; ", problems));
    }
    local.put(plan.flag(), plan);
    Optional<RolloutRecord> existing = RolloutRecord.read(flags.store(), plan.flag());
    if (existing.isPresent()) {
      RolloutRecord stored = existing.get();
      if (stored.legacy()) {
        return status(convert(stored, plan));
      }
      if (stored.definition().sameDefinition(plan)) {
        return status(stored);
      }
      if (stored.state().active()) {
        throw new FlagConflictException(
            FlagConflictException.Kind.EXISTS,
            "a different rollout plan for '"
                + plan.flag()
                + "' is in progress (stored: "
                + codec.encodeToString(stored.plan())
                + "); abort it (POST /api/v1/rollouts/"
                + plan.flag()
                + "/abort) or start the same plan");
      }
    }
    try {
      return status(create(plan, existing, APPLICATION_ACTOR, true));
    } catch (FlagConflictException e) {
      Optional<RolloutRecord> raced = RolloutRecord.read(flags.store(), plan.flag());
      if (e.kind() == FlagConflictException.Kind.EXISTS
          && raced.isPresent()
          && raced.get().definition().sameDefinition(plan)) {
        return status(raced.get());
      }
      throw e;
    }
  }

  /**
   * A plan's definition and progress, as stored (the same on every server).
   *
   * @throws FlagConflictException if there is no plan for {@code flag}
   */
  public Status status(String flag) {
    return status(require(flag, OptionalLong.empty()));
  }

  /** Every stored plan. */
  public List<Status> list() {
    List<Status> all = new ArrayList<>();
    for (RolloutRecord record : RolloutRecord.list(flags.store())) {
      if (!record.legacy()) {
        all.add(status(record));
      }
    }
    return all;
  }

  /** The plan's guards as this server last checked them; empty before its first check. */
  public List<GuardState> guardStates(String flag) {
    return guardStates.getOrDefault(flag, List.of());
  }

  /**
   * Moves a running plan to its next step now.
   *
   * @return the progress after
   * @throws FlagConflictException if there is no such plan, it is not running, a guard trips, or a
   *     person changed the flag (the plan then pauses)
   */
  public Status advance(String flag) {
    return status(advance(flag, OptionalLong.empty(), APPLICATION_ACTOR, true));
  }

  /**
   * Pauses a running plan: it leaves the flag as it is until resumed.
   *
   * @throws FlagConflictException if there is no such plan or it is not running
   */
  public Status pause(String flag, String reason) {
    return status(pause(flag, OptionalLong.empty(), reason, APPLICATION_ACTOR, true));
  }

  /**
   * Resumes a paused or halted plan from its current step, taking the flag as it is now as the
   * plan's own again, and setting it to the step's percentage if it differs.
   *
   * @throws FlagConflictException if there is no such plan, it is not paused or halted, the flag is
   *     gone or killed, or a guard still trips
   */
  public Status resume(String flag) {
    return status(resume(flag, OptionalLong.empty(), null, APPLICATION_ACTOR, true));
  }

  /**
   * Aborts a plan for good; the flag is left as it is.
   *
   * @throws FlagConflictException if there is no such plan or it is already finished
   */
  public Status abort(String flag, String reason) {
    return status(abort(flag, OptionalLong.empty(), reason, APPLICATION_ACTOR, true));
  }

  /**
   * Halts a plan by hand and rolls its flag back to the last safe step.
   *
   * @throws FlagConflictException if there is no such plan or it is finished
   */
  public Status halt(String flag, String reason) {
    RolloutRecord plan = require(flag, OptionalLong.empty());
    if (plan.state() == State.HALTED) {
      return status(plan);
    }
    if (!plan.state().active()) {
      throw invalid(plan, "halt");
    }
    return status(halt(plan, reason, APPLICATION_ACTOR, true).orElseThrow(() -> moved(flag)));
  }

  /**
   * Deletes a finished (completed or aborted) plan, so that another can be created.
   *
   * @throws FlagConflictException if there is no such plan or it is in progress
   */
  public void delete(String flag) {
    delete(flag, OptionalLong.empty(), APPLICATION_ACTOR, true);
  }

  // --- the moves, shared by the Java API and the admin routes

  /**
   * Creates a plan; a finished plan in {@code existing} is replaced.
   *
   * @throws FlagConflictException if the flag does not exist, or another server created a plan for
   *     it first
   */
  RolloutRecord create(
      RolloutPlan plan, Optional<RolloutRecord> existing, String by, boolean audited) {
    FlagAdmin.Raw flag =
        flags
            .admin()
            .raw(plan.flag())
            .orElseThrow(
                () ->
                    new FlagConflictException(
                        FlagConflictException.Kind.NOT_FOUND,
                        "no flag '" + plan.flag() + "'; create the flag first"));
    long now = clock.millis();
    RolloutRecord base =
        new RolloutRecord(
            plan.wire(),
            State.RUNNING,
            -1,
            null,
            now,
            now,
            existing.map(RolloutRecord::revision).orElse(0L),
            flag.version(),
            List.of(),
            existing.map(RolloutRecord::version).orElse(-1L));
    boolean killed = !flag.definition().isEnabled();
    RolloutRecord first =
        base.moved(
            killed ? State.PAUSED : State.RUNNING,
            0,
            killed
                ? "the flag is killed: release its kill switch, then resume the plan"
                : "started by " + by,
            now,
            by);
    Optional<RolloutRecord> written =
        first.write(
            flags.store(),
            existing.isPresent()
                ? Precondition.versionEquals(existing.get().version())
                : Precondition.absent());
    if (written.isEmpty()) {
      throw new FlagConflictException(
          FlagConflictException.Kind.EXISTS,
          "a rollout plan for '" + plan.flag() + "' was created meanwhile; read it first");
    }
    checks.forget(plan.flag());
    guardStates.remove(plan.flag());
    recorded("start", existing.orElse(null), written.get(), by, audited, "flags.rollout.step");
    return killed ? written.get() : settle(written.get());
  }

  RolloutRecord advance(String flag, OptionalLong expected, String by, boolean audited) {
    RolloutRecord plan = require(flag, expected);
    if (plan.state() != State.RUNNING) {
      throw invalid(plan, "advance");
    }
    Owned owned = own(plan);
    if (!owned.owns()) {
      throw new FlagConflictException(
          FlagConflictException.Kind.INVALID_STATE,
          "the flag '"
              + flag
              + "' was changed by hand since the plan last set it, so the plan is paused and"
              + " did not advance: resume it to go on from the flag as it is now");
    }
    plan = owned.plan();
    List<GuardState> states = check(plan);
    Optional<GuardState> tripped = states.stream().filter(GuardState::tripped).findFirst();
    if (tripped.isPresent()) {
      throw new FlagConflictException(
          FlagConflictException.Kind.INVALID_STATE,
          "the plan for '"
              + flag
              + "' cannot advance while its guard trips ("
              + tripped.get().guard()
              + ": "
              + tripped.get().detail()
              + "); it halts at its next check");
    }
    if (plan.step() >= plan.plan().steps().size() - 1) {
      throw invalid(plan, "advance");
    }
    return next(plan, "advanced by " + by, by, audited).orElseThrow(() -> moved(flag));
  }

  RolloutRecord pause(
      String flag, OptionalLong expected, @Nullable String why, String by, boolean audited) {
    RolloutRecord plan = require(flag, expected);
    if (plan.state() != State.RUNNING) {
      throw invalid(plan, "pause");
    }
    String reason = "paused by " + by + (why == null || why.isBlank() ? "" : ": " + why);
    return move(plan, State.PAUSED, plan.step(), reason, by, audited, "pause")
        .orElseThrow(() -> moved(flag));
  }

  RolloutRecord resume(
      String flag, OptionalLong expected, @Nullable String why, String by, boolean audited) {
    RolloutRecord plan = require(flag, expected);
    if (plan.state() != State.PAUSED && plan.state() != State.HALTED) {
      throw invalid(plan, "resume");
    }
    FlagAdmin.Raw raw =
        flags
            .admin()
            .raw(flag)
            .orElseThrow(
                () ->
                    new FlagConflictException(
                        FlagConflictException.Kind.INVALID_STATE,
                        "the flag '" + flag + "' no longer exists; abort the plan"));
    if (!raw.definition().isEnabled()) {
      throw new FlagConflictException(
          FlagConflictException.Kind.INVALID_STATE,
          "the flag '"
              + flag
              + "' is killed; release its kill switch first (the plan never releases it)");
    }
    List<GuardState> states = check(plan);
    Optional<GuardState> tripped = states.stream().filter(GuardState::tripped).findFirst();
    if (tripped.isPresent()) {
      throw new FlagConflictException(
          FlagConflictException.Kind.INVALID_STATE,
          "the plan for '"
              + flag
              + "' cannot resume while its guard trips ("
              + tripped.get().guard()
              + ": "
              + tripped.get().detail()
              + ")");
    }
    String reason = "resumed by " + by + (why == null || why.isBlank() ? "" : ": " + why);
    RolloutRecord after =
        plan.withFlagVersion(raw.version())
            .moved(State.RUNNING, plan.step(), reason, clock.millis(), by);
    RolloutRecord written =
        after
            .write(flags.store(), Precondition.versionEquals(plan.version()))
            .orElseThrow(() -> moved(flag));
    recorded("resume", plan, written, by, audited, "flags.rollout.resume");
    return settle(written);
  }

  RolloutRecord abort(
      String flag, OptionalLong expected, @Nullable String why, String by, boolean audited) {
    RolloutRecord plan = require(flag, expected);
    if (!plan.state().active()) {
      throw invalid(plan, "abort");
    }
    String reason = "aborted by " + by + (why == null || why.isBlank() ? "" : ": " + why);
    RolloutRecord after =
        move(plan, State.ABORTED, plan.step(), reason, by, audited, "abort")
            .orElseThrow(() -> moved(flag));
    checks.forget(flag);
    guardStates.remove(flag);
    return after;
  }

  RolloutRecord delete(String flag, OptionalLong expected, String by, boolean audited) {
    RolloutRecord plan = require(flag, expected);
    if (plan.state().active() && !plan.legacy()) {
      throw new FlagConflictException(
          FlagConflictException.Kind.INVALID_STATE,
          "the plan for '"
              + flag
              + "' is "
              + plan.state().name().toLowerCase(Locale.ROOT)
              + "; abort it first (POST /api/v1/rollouts/"
              + flag
              + "/abort)");
    }
    if (plan.delete(flags.store()).isEmpty()) {
      throw moved(flag);
    }
    local.remove(flag);
    checks.forget(flag);
    guardStates.remove(flag);
    if (audited) {
      auditRecord(by, "flags.rollout.delete", flag, view(plan, false), null, "deleted");
    }
    return plan;
  }

  /** A person changed {@code flag} to {@code version} (through {@link FlagAdmin}). */
  void flagChangedByHand(String flag, long version) {
    try {
      Optional<RolloutRecord> plan = RolloutRecord.read(flags.store(), flag);
      if (plan.isPresent()
          && !plan.get().legacy()
          && plan.get().state() == State.RUNNING
          && plan.get().flagVersion() != version) {
        pauseForPerson(plan.get(), plan.get().flagVersion(), version);
      }
    } catch (StateException e) {
      // The next check finds the change by its version.
      outage.failed("a plan whose flag was changed by hand pauses at its next check", e);
    }
  }

  // --- checking and moving plans

  /**
   * Checks every stored plan once: a running plan whose flag a person changed pauses; one whose
   * guard trips halts and rolls back; one whose step is due advances; a move whose write to the
   * flag was lost is completed.
   */
  public void tick() {
    Set<String> seen = new HashSet<>();
    for (RolloutRecord plan : RolloutRecord.list(flags.store())) {
      if (plan.legacy()) {
        continue;
      }
      seen.add(plan.flag());
      switch (plan.state()) {
        case RUNNING -> tickRunning(plan);
        case HALTED, COMPLETED -> {
          if (!looksSettled(plan)) {
            settle(plan);
          }
        }
        default -> {}
      }
    }
    guardStates.keySet().retainAll(seen);
  }

  private void tickRunning(RolloutRecord plan) {
    RolloutRecord now = plan;
    if (!looksSettled(now)) {
      now = settle(now);
      if (now.state() != State.RUNNING) {
        return;
      }
    }
    List<GuardState> states = check(now);
    Optional<GuardState> tripped = states.stream().filter(GuardState::tripped).findFirst();
    if (tripped.isPresent()) {
      halt(now, tripped.get().detail(), PLAN_ACTOR, true);
    } else if (due(now)) {
      next(now, "advanced on schedule", PLAN_ACTOR, true);
    }
  }

  private void tickSafely() {
    try {
      tick();
      outage.recovered();
    } catch (StateException e) {
      outage.failed("rollout plans wait for the next check", e);
    } catch (RuntimeException e) {
      log.error("Checking rollout plans failed; they are checked again in {}", tickInterval, e);
    }
  }

  private List<GuardState> check(RolloutRecord plan) {
    RolloutPlan code = local.get(plan.flag());
    List<RolloutGuard> mine =
        code != null && code.sameDefinition(plan.definition()) ? code.guards() : List.of();
    List<GuardState> states = checks.check(plan, mine, clock.millis());
    guardStates.put(plan.flag(), List.copyOf(states));
    return states;
  }

  private boolean due(RolloutRecord plan) {
    Duration every = plan.definition().interval();
    return every != null
        && plan.step() < plan.plan().steps().size() - 1
        && clock.millis() - plan.changedAt() >= every.toMillis();
  }

  /** Whether this server's snapshot shows the flag as the plan last left it (no read needed). */
  private boolean looksSettled(RolloutRecord plan) {
    FlagSnapshot snapshot = flags.snapshot();
    Optional<Long> version = snapshot.version(plan.flag());
    Optional<FlagDefinition> definition = snapshot.definition(plan.flag());
    return version.isPresent()
        && version.get() == plan.flagVersion()
        && FlagAdmin.percentage(definition.get()) == plan.percentage();
  }

  /**
   * Reads the flag and decides whether the plan still owns it: the flag is at the version the plan
   * last left it at, or the plan's own write whose version was not recorded. Otherwise a person
   * changed it, and a running plan pauses.
   */
  private Owned own(RolloutRecord plan) {
    Optional<FlagAdmin.Raw> read = flags.admin().raw(plan.flag());
    if (read.isEmpty()) {
      if (plan.state() == State.RUNNING) {
        return new Owned(
            move(
                    plan,
                    State.PAUSED,
                    plan.step(),
                    "the flag was deleted; abort the plan",
                    PLAN_ACTOR,
                    true,
                    "pause")
                .orElse(plan),
            false,
            null);
      }
      return new Owned(plan, false, null);
    }
    FlagAdmin.Raw raw = read.get();
    if (raw.version() == plan.flagVersion()) {
      return new Owned(plan, true, raw);
    }
    if (raw.writtenBy(plan.marker())) {
      // The plan's own write, made before its record could say so (another server, a crash).
      Optional<RolloutRecord> adopted =
          plan.withFlagVersion(raw.version())
              .write(flags.store(), Precondition.versionEquals(plan.version()));
      return adopted.map(p -> new Owned(p, true, raw)).orElse(new Owned(plan, false, raw));
    }
    if (plan.state() == State.RUNNING) {
      return new Owned(pauseForPerson(plan, plan.flagVersion(), raw.version()), false, raw);
    }
    return new Owned(plan, false, raw);
  }

  private RolloutRecord pauseForPerson(RolloutRecord plan, long from, long to) {
    String reason =
        String.format(
            Locale.ROOT,
            "the flag was changed by hand (version %d to %d), and the operator wins: the plan"
                + " leaves the flag alone until resumed, then goes on from step %d (%s%%)",
            from,
            to,
            plan.step() + 1,
            stepText(plan.percentage()));
    return move(plan, State.PAUSED, plan.step(), reason, PLAN_ACTOR, true, "pause").orElse(plan);
  }

  /**
   * Makes the flag what the plan's current step wants, if the plan still owns it and it differs:
   * the one write a move makes. Returns the plan as it is after.
   */
  private RolloutRecord settle(RolloutRecord plan) {
    Owned owned = own(plan);
    if (!owned.owns()) {
      return owned.plan();
    }
    RolloutRecord now = owned.plan();
    FlagAdmin.Raw raw = Objects.requireNonNull(owned.flag());
    if (now.state() == State.PAUSED || now.state() == State.ABORTED) {
      return now;
    }
    double wanted = now.percentage();
    if (FlagAdmin.percentage(raw.definition()) == wanted) {
      return now;
    }
    OptionalLong written =
        flags.admin().setByPlan(now.flag(), raw.definition(), raw.version(), wanted, now.marker());
    if (written.isEmpty()) {
      // A person changed the flag in between: the next check pauses the plan.
      return now;
    }
    // If another server moved the plan first, the marker lets the next check adopt this write.
    return now.withFlagVersion(written.getAsLong())
        .write(flags.store(), Precondition.versionEquals(now.version()))
        .orElse(now);
  }

  private Optional<RolloutRecord> next(RolloutRecord plan, String why, String by, boolean audited) {
    int step = plan.step() + 1;
    if (step >= plan.plan().steps().size()) {
      return Optional.empty();
    }
    State state = step == plan.plan().steps().size() - 1 ? State.COMPLETED : State.RUNNING;
    return move(plan, state, step, why, by, audited, "step").map(this::settle);
  }

  private Optional<RolloutRecord> halt(
      RolloutRecord plan, String reason, String by, boolean audited) {
    // The last safe step is the one before the current: the current one is where trouble showed.
    Optional<RolloutRecord> halted =
        move(plan, State.HALTED, plan.step() - 1, reason, by, audited, "halt");
    halted.ifPresent(
        after ->
            log.warn(
                "Rollout of {} halted at {}% and rolled back to {}%: {}",
                plan.flag(), stepText(plan.percentage()), stepText(after.percentage()), reason));
    return halted.map(this::settle);
  }

  private Optional<RolloutRecord> move(
      RolloutRecord plan,
      State state,
      int step,
      @Nullable String reason,
      String by,
      boolean audited,
      String transition) {
    Optional<RolloutRecord> written =
        plan.moved(state, step, reason, clock.millis(), by)
            .write(flags.store(), Precondition.versionEquals(plan.version()));
    written.ifPresent(
        after -> recorded(transition, plan, after, by, audited, "flags.rollout." + transition));
    return written;
  }

  private void recorded(
      String transition,
      @Nullable RolloutRecord before,
      RolloutRecord after,
      String by,
      boolean audited,
      String action) {
    metrics.counter(TRANSITIONS, after.flag(), transition).increment();
    if (audited) {
      auditRecord(
          by,
          action,
          after.flag(),
          before == null ? null : view(before, false),
          view(after, false),
          after.reason());
    }
  }

  private void auditRecord(
      String by,
      String action,
      String flag,
      @Nullable View before,
      @Nullable View after,
      @Nullable String reason) {
    try {
      audit.record(
          AuditRecord.builder(clock.instant(), by, action, "rollout " + flag)
              .before(before == null ? null : codec.encodeToString(before))
              .after(after == null ? null : codec.encodeToString(after))
              .reason(reason)
              .build());
    } catch (RuntimeException e) {
      log.error("Could not audit the rollout of {}: {}", flag, e.getMessage());
    }
  }

  /** Turns a record written before plans were data into one, with {@code plan}'s definition. */
  private RolloutRecord convert(RolloutRecord old, RolloutPlan plan) {
    long flagVersion = flags.admin().raw(plan.flag()).map(FlagAdmin.Raw::version).orElse(-1L);
    RolloutRecord converted =
        new RolloutRecord(
            plan.wire(),
            old.state(),
            old.step(),
            old.reason(),
            old.changedAt(),
            old.changedAt(),
            1,
            flagVersion,
            List.of(),
            old.version());
    return converted
        .write(flags.store(), Precondition.versionEquals(old.version()))
        .orElseGet(() -> require(plan.flag(), OptionalLong.empty()));
  }

  RolloutRecord require(String flag, OptionalLong expected) {
    RolloutRecord plan =
        RolloutRecord.read(flags.store(), flag)
            .orElseThrow(
                () ->
                    new FlagConflictException(
                        FlagConflictException.Kind.NOT_FOUND,
                        "no rollout plan for '" + flag + "'"));
    if (expected.isPresent() && expected.getAsLong() != plan.version()) {
      throw new FlagConflictException(
          FlagConflictException.Kind.STALE,
          "the rollout plan for '"
              + flag
              + "' has moved (now at version "
              + plan.version()
              + "); read it again",
          plan.version());
    }
    return plan;
  }

  /** Checks that a new plan's declared guards can be checked here. */
  List<String> guardProblems(RolloutPlan plan) {
    return checks.problems(plan.declaredGuards());
  }

  private static FlagConflictException moved(String flag) {
    return new FlagConflictException(
        FlagConflictException.Kind.STALE,
        "the rollout plan for '" + flag + "' moved meanwhile; read it again");
  }

  private static FlagConflictException invalid(RolloutRecord plan, String move) {
    String flag = plan.flag();
    String why =
        switch (plan.state()) {
          case RUNNING ->
              move.equals("advance")
                  ? "it is at its last step"
                  : "it is running; pause it first, or let it run";
          case PAUSED ->
              "it is paused ("
                  + plan.reason()
                  + "); resume it first (POST /api/v1/rollouts/"
                  + flag
                  + "/resume)";
          case HALTED ->
              "it is halted ("
                  + plan.reason()
                  + "); resume it (POST /api/v1/rollouts/"
                  + flag
                  + "/resume) or abort it";
          case COMPLETED -> "it is completed: the flag is at its last step";
          case ABORTED -> "it was aborted; delete it and create another";
        };
    return new FlagConflictException(
        FlagConflictException.Kind.INVALID_STATE,
        "cannot " + move + " the rollout plan for '" + flag + "': " + why);
  }

  static String stepText(double percentage) {
    return percentage == Math.rint(percentage)
        ? Long.toString((long) percentage)
        : Double.toString(percentage);
  }

  Status status(RolloutRecord plan) {
    RolloutPlan definition = plan.definition();
    return new Status(
        plan.flag(),
        plan.step(),
        plan.percentage(),
        plan.state(),
        plan.reason(),
        Instant.ofEpochMilli(plan.changedAt()),
        definition.steps(),
        definition.interval(),
        definition.declaredGuards(),
        plan.history(),
        nextStepAt(plan),
        plan.version());
  }

  private static @Nullable Instant nextStepAt(RolloutRecord plan) {
    Duration every = plan.definition().interval();
    if (plan.state() != State.RUNNING
        || every == null
        || plan.step() >= plan.plan().steps().size() - 1) {
      return null;
    }
    return Instant.ofEpochMilli(plan.changedAt()).plus(every);
  }

  View view(RolloutRecord plan, boolean full) {
    RolloutPlan.Wire wire = Objects.requireNonNull(plan.plan());
    return new View(
        plan.flag(),
        plan.state(),
        plan.step(),
        plan.percentage(),
        wire.steps(),
        wire.every(),
        wire.guards(),
        plan.reason(),
        Instant.ofEpochMilli(plan.startedAt()),
        Instant.ofEpochMilli(plan.changedAt()),
        nextStepAt(plan),
        full ? plan.history() : null,
        full ? guardStates(plan.flag()) : null,
        plan.version());
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    flags.detach(this);
  }

  /** Builds {@link Rollouts}. Not thread-safe. */
  public static final class Builder {
    private final Flags flags;
    private final Settings settings = Settings.of(List.of(FlagsConfig.ROLLOUT_TICK_INTERVAL));
    private @Nullable AuditSink auditSink;
    private BrownoutClock clock = BrownoutClock.system();
    private BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    private @Nullable BreakerStates breakers;
    private @Nullable MeterRegistry meters;
    private boolean manualTicks;

    private Builder(Flags flags) {
      this.flags =
          Objects.requireNonNull(flags, "Rollouts.builder(flags) needs the Flags it rolls out");
    }

    /**
     * Where moves the plans make themselves, and moves asked for through this class, are audited.
     * Default: the flags' audit sink ({@code Flags.Builder.auditSink}), else the log.
     */
    public Builder auditSink(AuditSink sink) {
      this.auditSink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /** The clock that decides when a step is due. */
    public Builder clock(BrownoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where transition counts go, and, unless {@link #meters(MeterRegistry)} says otherwise, where
     * meter guards find their meters. Default: an in-memory registry.
     */
    public Builder metrics(BrownoutMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * How breaker guards ({@code {"breaker": "payments"}}) learn whether a breaker is open. Without
     * it, a plan naming a breaker cannot be created here, and a stored one halts when this server
     * checks it (a guard is never silently skipped).
     */
    public Builder breakers(BreakerStates states) {
      this.breakers = Objects.requireNonNull(states, "states");
      return this;
    }

    /** Where meter guards find the meters they name. Default: the registry of {@link #metrics}. */
    public Builder meters(MeterRegistry registry) {
      this.meters = Objects.requireNonNull(registry, "registry");
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

    /** Builds the runner and starts checking plans. */
    public Rollouts build() {
      return new Rollouts(this);
    }
  }
}
