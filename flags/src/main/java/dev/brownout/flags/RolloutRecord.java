package dev.brownout.flags;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.Update;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * A rollout plan as stored: its definition and its progress in one record of the namespace {@code
 * brownout-rollouts}, keyed by flag, so that every move is one compare-and-set on the record's
 * version and every server sees the same plan.
 *
 * @param plan the definition; null for a record written before plans were data (progress only),
 *     which the server whose code defines the plan converts
 * @param state where the plan is
 * @param step the current step; -1 when halted before the first step
 * @param reason why it is paused, halted or aborted
 * @param startedAt when it started, in epoch milliseconds
 * @param changedAt when it last moved, in epoch milliseconds: the current step's timer starts here
 * @param revision how many moves it has made; the flag's {@code set-by} field names it
 * @param flagVersion the flag's version when the plan last set or checked it: any other version not
 *     written by the plan is a person's change
 * @param history the latest moves, oldest first
 * @param version the record's version in the store (not stored in it)
 */
record RolloutRecord(
    RolloutPlan.@Nullable Wire plan,
    Rollouts.State state,
    int step,
    @Nullable String reason,
    long startedAt,
    long changedAt,
    long revision,
    long flagVersion,
    List<Rollouts.Transition> history,
    long version) {

  /** The moves a plan keeps in its history. */
  static final int HISTORY = 50;

  static final String FIELD = "rollout";
  private static final String LEGACY_FIELD = "progress";
  private static final JsonCodec CODEC = JsonCodec.standard();

  /** The stored form. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Stored(
      RolloutPlan.Wire plan,
      Rollouts.State state,
      int step,
      @Nullable String reason,
      long startedAt,
      long changedAt,
      long revision,
      long flagVersion,
      List<Rollouts.Transition> history) {}

  /** The stored form before plans were data. */
  record Legacy(int step, String state, @Nullable String reason, long changedAt) {}

  RolloutRecord {
    history = List.copyOf(history);
  }

  static Optional<RolloutRecord> read(StateStore store, String flag) {
    return store.read(Rollouts.NAMESPACE, flag).flatMap(RolloutRecord::decode);
  }

  static List<RolloutRecord> list(StateStore store) {
    List<RolloutRecord> records = new ArrayList<>();
    for (StateRecord record : store.list(Rollouts.NAMESPACE)) {
      decode(record).ifPresent(records::add);
    }
    records.sort(Comparator.comparing(RolloutRecord::flag));
    return records;
  }

  private static Optional<RolloutRecord> decode(StateRecord record) {
    try {
      Optional<byte[]> current = record.field(FIELD);
      if (current.isPresent()) {
        Stored stored = CODEC.decode(current.get(), Stored.class);
        return Optional.of(
            new RolloutRecord(
                stored.plan(),
                stored.state(),
                stored.step(),
                stored.reason(),
                stored.startedAt(),
                stored.changedAt(),
                stored.revision(),
                stored.flagVersion(),
                stored.history() == null ? List.of() : stored.history(),
                record.version()));
      }
      Optional<byte[]> legacy = record.field(LEGACY_FIELD);
      if (legacy.isPresent()) {
        Legacy old = CODEC.decode(legacy.get(), Legacy.class);
        return Optional.of(
            new RolloutRecord(
                new RolloutPlan.Wire(record.key(), List.of(), null, null, null),
                Rollouts.State.valueOf(old.state()),
                old.step(),
                old.reason(),
                old.changedAt(),
                old.changedAt(),
                0,
                -1,
                List.of(),
                record.version()));
      }
      return Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Whether this record predates stored definitions: it has progress and no steps. */
  boolean legacy() {
    return plan == null || plan.steps().isEmpty();
  }

  String flag() {
    return plan == null ? "" : plan.flag();
  }

  /** The definition, as validated when the plan was created. */
  RolloutPlan definition() {
    return RolloutPlan.fromWire(plan, true);
  }

  /** The percentage the plan wants the flag at: its current step's, or 0 before the first. */
  double percentage() {
    return step < 0 || plan == null || plan.steps().isEmpty()
        ? 0
        : plan.steps().get(Math.min(step, plan.steps().size() - 1));
  }

  /** What a plan's write to the flag is marked with, so that it can know its own write. */
  String marker() {
    return "rollout:" + startedAt + ":" + revision;
  }

  /** This plan after a move, with the move in its history. */
  RolloutRecord moved(Rollouts.State to, int toStep, @Nullable String why, long now, String by) {
    RolloutRecord after =
        new RolloutRecord(
            plan, to, toStep, why, startedAt, now, revision + 1, flagVersion, history, version);
    List<Rollouts.Transition> more = new ArrayList<>(history);
    more.add(
        new Rollouts.Transition(
            Instant.ofEpochMilli(now), to, toStep, after.percentage(), by, why));
    return new RolloutRecord(
        plan,
        to,
        toStep,
        why,
        startedAt,
        now,
        revision + 1,
        flagVersion,
        more.subList(Math.max(0, more.size() - HISTORY), more.size()),
        version);
  }

  RolloutRecord withFlagVersion(long flag) {
    return new RolloutRecord(
        plan, state, step, reason, startedAt, changedAt, revision, flag, history, version);
  }

  RolloutRecord withVersion(long stored) {
    return new RolloutRecord(
        plan, state, step, reason, startedAt, changedAt, revision, flagVersion, history, stored);
  }

  /**
   * Writes this record if the stored one is still at {@code precondition}.
   *
   * @return this record at its new version, or empty if another server moved the plan first
   */
  Optional<RolloutRecord> write(StateStore store, Precondition precondition) {
    try {
      long written =
          store
              .update(
                  Rollouts.NAMESPACE,
                  flag(),
                  Update.builder()
                      .set(
                          FIELD,
                          CODEC.encode(
                              new Stored(
                                  plan,
                                  state,
                                  step,
                                  reason,
                                  startedAt,
                                  changedAt,
                                  revision,
                                  flagVersion,
                                  history)))
                      .remove(LEGACY_FIELD)
                      .precondition(precondition)
                      .build())
              .version();
      return Optional.of(withVersion(written));
    } catch (PreconditionFailedException e) {
      return Optional.empty();
    }
  }

  /** Deletes the record if it is still at its version. */
  OptionalLong delete(StateStore store) {
    try {
      store.delete(Rollouts.NAMESPACE, flag(), Precondition.versionEquals(version));
      return OptionalLong.of(version);
    } catch (PreconditionFailedException e) {
      return OptionalLong.empty();
    }
  }
}
