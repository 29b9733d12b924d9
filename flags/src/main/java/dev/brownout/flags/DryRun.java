package dev.brownout.flags;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * How a proposed definition would move units: each unit of a sample is evaluated under the flag as
 * it is and as proposed, against the same snapshot (prerequisites and segments as they are now),
 * without counting either evaluation. A unit "has the feature" when it gets any variant but the off
 * variant.
 */
final class DryRun {
  /** Units of a generated sample are named {@value} followed by a number. */
  static final String SAMPLE_PREFIX = "sample-";

  /** The most units a dry run evaluates. */
  static final int MAX_UNITS = 100_000;

  /** Examples of each kind of move a result names. */
  static final int EXAMPLES = 10;

  /**
   * A unit that would get another variant.
   *
   * @param unit the unit's key
   * @param before the variant it gets now
   * @param after the variant it would get
   */
  record Move(String unit, @Nullable String before, @Nullable String after) {}

  /**
   * What the change would do to the sample.
   *
   * @param flag the flag
   * @param units how many units were evaluated
   * @param before how many get each variant now
   * @param after how many would get each variant
   * @param gain units that would get the feature and do not have it now
   * @param lose units that would lose the feature
   * @param change units that would keep the feature but get another variant of it
   * @param unchanged units that would get the same variant
   * @param examples up to ten units of each kind of move
   */
  record Result(
      String flag,
      int units,
      Map<String, Integer> before,
      Map<String, Integer> after,
      int gain,
      int lose,
      int change,
      int unchanged,
      Map<String, List<Move>> examples) {}

  private DryRun() {}

  /**
   * Evaluates {@code units} under {@code current} (null for a flag that does not exist yet: nobody
   * has it) and {@code proposed}.
   */
  static Result run(
      FlagSnapshot snapshot,
      @Nullable CompiledFlag current,
      CompiledFlag proposed,
      List<FlagContext> units) {
    Map<String, Integer> before = new TreeMap<>();
    Map<String, Integer> after = new TreeMap<>();
    List<Move> gains = new ArrayList<>();
    List<Move> losses = new ArrayList<>();
    List<Move> changes = new ArrayList<>();
    int gain = 0;
    int lose = 0;
    int change = 0;
    int unchanged = 0;
    String offBefore = current == null ? null : current.definition().offVariantOrDefault();
    String offAfter = proposed.definition().offVariantOrDefault();
    for (FlagContext unit : units) {
      String now = current == null ? null : current.evaluate(unit, snapshot.lookup()).variant();
      String then = proposed.evaluate(unit, snapshot.lookup()).variant();
      before.merge(String.valueOf(now), 1, Integer::sum);
      after.merge(String.valueOf(then), 1, Integer::sum);
      boolean had = now != null && !Objects.equals(now, offBefore);
      boolean has = !Objects.equals(then, offAfter);
      Move move = new Move(unit.key(), now, then);
      if (!had && has) {
        gain++;
        add(gains, move);
      } else if (had && !has) {
        lose++;
        add(losses, move);
      } else if (!Objects.equals(now, then)) {
        change++;
        add(changes, move);
      } else {
        unchanged++;
      }
    }
    return new Result(
        proposed.definition().key(),
        units.size(),
        before,
        after,
        gain,
        lose,
        change,
        unchanged,
        Map.of("gain", gains, "lose", losses, "change", changes));
  }

  private static void add(List<Move> examples, Move move) {
    if (examples.size() < EXAMPLES) {
      examples.add(move);
    }
  }

  /** {@code count} units with no attributes, named {@value #SAMPLE_PREFIX}0, 1, … */
  static List<FlagContext> sample(int count) {
    List<FlagContext> units = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      units.add(FlagContext.of(SAMPLE_PREFIX + i));
    }
    return units;
  }
}
