package dev.brownout.flags;

import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** A segment turned into what evaluation needs: sets of units and compiled rules. Immutable. */
final class CompiledSegment {
  /** What a flag refers to when its segment does not exist: a segment nobody is in. */
  static final CompiledSegment MISSING = new CompiledSegment(null, -1);

  private final @Nullable SegmentDefinition definition;
  private final long version;
  private final UnitTable included;
  private final UnitTable excluded;
  private final CompiledCondition[][] rules;

  /**
   * Compiles a segment.
   *
   * @throws InvalidFlagException if it is invalid
   */
  CompiledSegment(@Nullable SegmentDefinition definition, long version) {
    this.definition = definition;
    this.version = version;
    if (definition == null) {
      this.included = UnitTable.of(Set.of());
      this.excluded = UnitTable.of(Set.of());
      this.rules = new CompiledCondition[0][];
      return;
    }
    definition.validate();
    this.included =
        UnitTable.of(definition.included() == null ? Set.of() : Set.copyOf(definition.included()));
    this.excluded =
        UnitTable.of(definition.excluded() == null ? Set.of() : Set.copyOf(definition.excluded()));
    List<SegmentDefinition.Rule> list = definition.rules() == null ? List.of() : definition.rules();
    this.rules = new CompiledCondition[list.size()][];
    for (int i = 0; i < list.size(); i++) {
      rules[i] =
          list.get(i).conditions().stream()
              .map(condition -> CompiledCondition.compile(condition, key -> MISSING))
              .toArray(CompiledCondition[]::new);
    }
  }

  /** Whether the unit is in the segment. */
  boolean contains(FlagContext context) {
    String key = context.key();
    int hash = context.keyHash();
    if (!excluded.isEmpty() && excluded.contains(key, hash)) {
      return false;
    }
    if (!included.isEmpty() && included.contains(key, hash)) {
      return true;
    }
    for (CompiledCondition[] rule : rules) {
      boolean all = true;
      for (CompiledCondition condition : rule) {
        if (!condition.matches(context)) {
          all = false;
          break;
        }
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  /** The definition, or null for {@link #MISSING}. */
  @Nullable SegmentDefinition definition() {
    return definition;
  }

  /** The stored version. */
  long version() {
    return version;
  }
}
