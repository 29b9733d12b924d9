package dev.brownout.flags;

import dev.brownout.core.json.JsonCodec;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;

/**
 * Creates, changes and deletes flags in the store. Every change is validated whole first
 * (definition, prerequisites that exist and form no cycle, confirmation for a jump from 0 % to 100
 * %), then written with a precondition, so a refused change changes nothing and two concurrent
 * changes cannot silently overwrite each other. The writing server sees its change at once; others
 * within the store's notification delay.
 */
public final class FlagAdmin {
  /**
   * A flag as stored.
   *
   * @param definition the definition
   * @param version the store's version, the basis of ETags
   */
  public record Stored(FlagDefinition definition, long version) {}

  private final Flags flags;
  private final JsonCodec codec = JsonCodec.standard();

  FlagAdmin(Flags flags) {
    this.flags = flags;
  }

  /** Every flag in the store, by key. */
  public List<Stored> list() {
    List<Stored> stored = new ArrayList<>();
    for (StateRecord record : flags.store().list(Flags.NAMESPACE)) {
      decode(record).ifPresent(stored::add);
    }
    stored.sort(Comparator.comparing(s -> s.definition().key()));
    return stored;
  }

  /** One flag from the store. */
  public Optional<Stored> get(String key) {
    return flags.store().read(Flags.NAMESPACE, key).flatMap(this::decode);
  }

  private Optional<Stored> decode(StateRecord record) {
    try {
      return Optional.of(
          new Stored(
              codec.decode(record.field(Flags.FIELD).orElse(new byte[0]), FlagDefinition.class),
              record.version()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Creates a flag.
   *
   * @throws InvalidFlagException naming every problem
   * @throws FlagConflictException if it exists, or its prerequisites are missing or form a cycle
   */
  public Stored create(FlagDefinition definition) {
    CompiledFlag compiled = validate(definition);
    return write(
        compiled,
        Precondition.absent(),
        "flag '" + definition.key() + "' already exists; replace it with PUT");
  }

  /**
   * Replaces a flag.
   *
   * @param expectedVersion the version the caller read, or empty to replace whatever is there
   * @param confirmed whether a jump from 0 % to 100 % is intended
   * @throws FlagConflictException if it does not exist, changed since {@code expectedVersion}, or
   *     jumps from 0 % to 100 % unconfirmed
   */
  public Stored replace(
      FlagDefinition definition, OptionalLong expectedVersion, boolean confirmed) {
    Stored before = get(definition.key()).orElseThrow(() -> notFound(definition.key()));
    if (expectedVersion.isPresent() && expectedVersion.getAsLong() != before.version()) {
      throw stale(definition.key(), before.version());
    }
    CompiledFlag compiled = validate(definition);
    checkJump(before.definition(), definition, confirmed);
    return write(compiled, Precondition.versionEquals(before.version()), null);
  }

  /**
   * Changes a flag by applying {@code change} to its current definition, retrying if another change
   * lands in between (unless {@code expectedVersion} pins the version the caller saw).
   */
  public Stored update(
      String key,
      UnaryOperator<FlagDefinition> change,
      OptionalLong expectedVersion,
      boolean confirmed) {
    for (int attempt = 0; attempt < 5; attempt++) {
      Stored before = get(key).orElseThrow(() -> notFound(key));
      if (expectedVersion.isPresent() && expectedVersion.getAsLong() != before.version()) {
        throw stale(key, before.version());
      }
      FlagDefinition after = change.apply(before.definition());
      if (!key.equals(after.key())) {
        throw new InvalidFlagException(
            key, List.of("key: a change cannot rename the flag to '" + after.key() + "'"));
      }
      CompiledFlag compiled = validate(after);
      checkJump(before.definition(), after, confirmed);
      try {
        return write(compiled, Precondition.versionEquals(before.version()), null);
      } catch (FlagConflictException e) {
        if (e.kind() != FlagConflictException.Kind.STALE || expectedVersion.isPresent()) {
          throw e;
        }
      }
    }
    throw new FlagConflictException(
        FlagConflictException.Kind.STALE,
        "flag '" + key + "' kept changing while this change was applied; try again");
  }

  /**
   * Deletes a flag.
   *
   * @return whether it existed
   * @throws FlagConflictException if another flag lists it as a prerequisite, or it changed since
   *     {@code expectedVersion}
   */
  public boolean delete(String key, OptionalLong expectedVersion) {
    List<String> dependents = new ArrayList<>();
    for (Stored other : list()) {
      List<FlagDefinition.Prerequisite> prerequisites = other.definition().prerequisites();
      if (prerequisites != null && prerequisites.stream().anyMatch(p -> key.equals(p.flag()))) {
        dependents.add(other.definition().key());
      }
    }
    if (!dependents.isEmpty()) {
      throw new FlagConflictException(
          FlagConflictException.Kind.IN_USE,
          "flag '" + key + "' is a prerequisite of " + dependents + "; change those first");
    }
    try {
      boolean deleted =
          flags
              .store()
              .delete(
                  Flags.NAMESPACE,
                  key,
                  expectedVersion.isPresent()
                      ? Precondition.versionEquals(expectedVersion.getAsLong())
                      : Precondition.none());
      flags.removed(key);
      return deleted;
    } catch (PreconditionFailedException e) {
      throw e.currentVersion().isPresent()
          ? stale(key, e.currentVersion().getAsLong())
          : notFound(key);
    }
  }

  private CompiledFlag validate(FlagDefinition definition) {
    CompiledFlag compiled = new CompiledFlag(definition, -1);
    if (definition.prerequisites() == null || definition.prerequisites().isEmpty()) {
      return compiled;
    }
    Map<String, CompiledFlag> all = new HashMap<>();
    for (Stored stored : list()) {
      all.put(stored.definition().key(), new CompiledFlag(stored.definition(), stored.version()));
    }
    all.put(definition.key(), compiled);
    List<String> problems = new ArrayList<>();
    for (FlagDefinition.Prerequisite prerequisite : definition.prerequisites()) {
      CompiledFlag required = all.get(prerequisite.flag());
      if (required == null) {
        problems.add("prerequisites: flag '" + prerequisite.flag() + "' does not exist");
      } else if (!required.definition().variantsOrDefault().containsKey(prerequisite.variant())) {
        problems.add(
            "prerequisites: flag '"
                + prerequisite.flag()
                + "' has no variant '"
                + prerequisite.variant()
                + "'");
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidFlagException(definition.key(), problems);
    }
    List<String> cycle = CompiledFlag.cycle(definition.key(), all::get);
    if (cycle != null) {
      throw new FlagConflictException(
          FlagConflictException.Kind.IN_USE,
          "prerequisites of flag '"
              + definition.key()
              + "' form a cycle: "
              + String.join(" -> ", cycle));
    }
    return compiled;
  }

  private Stored write(CompiledFlag compiled, Precondition precondition, String existsMessage) {
    FlagDefinition definition = compiled.definition();
    WriteResult result;
    try {
      result =
          flags
              .store()
              .update(
                  Flags.NAMESPACE,
                  definition.key(),
                  Update.builder()
                      .set(Flags.FIELD, codec.encode(definition))
                      .precondition(precondition)
                      .build());
    } catch (PreconditionFailedException e) {
      if (precondition.kind() == Precondition.Kind.ABSENT) {
        throw new FlagConflictException(FlagConflictException.Kind.EXISTS, existsMessage);
      }
      throw e.currentVersion().isPresent()
          ? stale(definition.key(), e.currentVersion().getAsLong())
          : notFound(definition.key());
    }
    flags.applyIfNewer(new CompiledFlag(definition, result.version()), flags.clock().instant());
    return new Stored(definition, result.version());
  }

  /** The share of units the fallthrough serves a variant other than the off variant, in percent. */
  static double exposure(FlagDefinition flag) {
    if (!flag.isEnabled()) {
      return 0;
    }
    FlagDefinition.Serve serve = flag.fallthrough();
    if (serve == null) {
      return 100;
    }
    if (serve.variant() != null) {
      return serve.variant().equals(flag.offVariantOrDefault()) ? 0 : 100;
    }
    return serve.rollout().percentage() == null ? 100 : serve.rollout().percentage();
  }

  private static void checkJump(FlagDefinition before, FlagDefinition after, boolean confirmed) {
    // Releasing the kill switch is an emergency action and is never held up; a jump in the rollout
    // is.
    boolean rolloutJump = before.isEnabled() && exposure(before) == 0 && exposure(after) == 100;
    if (rolloutJump && !confirmed) {
      throw new FlagConflictException(
          FlagConflictException.Kind.CONFIRMATION_REQUIRED,
          "flag '"
              + after.key()
              + "' would go from 0% to 100% of units at once; confirm it (?confirm=true), or roll out in steps");
    }
  }

  private static FlagConflictException notFound(String key) {
    return new FlagConflictException(FlagConflictException.Kind.NOT_FOUND, "no flag '" + key + "'");
  }

  private static FlagConflictException stale(String key, long current) {
    return new FlagConflictException(
        FlagConflictException.Kind.STALE,
        "flag '"
            + key
            + "' has changed (now at version "
            + current
            + "); read it again and reapply your change");
  }
}
