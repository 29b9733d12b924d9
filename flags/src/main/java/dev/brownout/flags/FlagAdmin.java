package dev.brownout.flags;

import dev.brownout.core.json.JsonCodec;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Creates, changes and deletes flags in the store. Every change is validated whole first
 * (definition, prerequisites and segments that exist, no prerequisite cycle, confirmation for a
 * jump from 0 % to 100 %), then written with a precondition, so a refused change changes nothing
 * and two concurrent changes cannot silently overwrite each other. The writing server sees its
 * change at once; others within the store's notification delay.
 *
 * <p>These are a person's changes: a change to a flag whose rollout plan is running pauses the plan
 * (the operator wins; see {@link Rollouts}).
 */
public final class FlagAdmin {
  /** The field that says a rollout plan made the flag's last write, and at which revision. */
  static final String SET_BY = "set-by";

  /**
   * A flag as stored.
   *
   * @param definition the definition
   * @param version the store's version, the basis of ETags
   */
  public record Stored(FlagDefinition definition, long version) {}

  /**
   * What an import did, by flag and segment key.
   *
   * @param created flags that did not exist
   * @param replaced flags whose definition changed
   * @param unchanged flags that were already as imported
   * @param segmentsCreated segments that did not exist
   * @param segmentsReplaced segments whose definition changed
   * @param segmentsUnchanged segments that were already as imported
   */
  public record ImportResult(
      List<String> created,
      List<String> replaced,
      List<String> unchanged,
      List<String> segmentsCreated,
      List<String> segmentsReplaced,
      List<String> segmentsUnchanged) {}

  /**
   * A flag's record with who wrote it last.
   *
   * @param definition the definition
   * @param version the stored version
   * @param setBy the plan mark of the last write, if a plan made it: {@code rollout:<run>:<move>:
   *     <digest of the definition it wrote>}
   * @param digest the digest of the stored definition, to tell whether it is still what that plan
   *     wrote (a writer that does not clear the mark cannot pass its own change off as the plan's)
   */
  record Raw(FlagDefinition definition, long version, @Nullable String setBy, String digest) {
    /** Whether the plan whose move is marked {@code marker} wrote this very definition. */
    boolean writtenBy(String marker) {
      return (marker + ":" + digest).equals(setBy);
    }
  }

  private final Flags flags;
  private final JsonCodec codec = JsonCodec.standard();

  FlagAdmin(Flags flags) {
    this.flags = flags;
  }

  /** Every flag in the store, by key. */
  public List<Stored> list() {
    List<Stored> stored = new ArrayList<>();
    for (StateRecord record : flags.store().list(Flags.NAMESPACE)) {
      decode(record).ifPresent(raw -> stored.add(new Stored(raw.definition(), raw.version())));
    }
    stored.sort(Comparator.comparing(s -> s.definition().key()));
    return stored;
  }

  /** One flag from the store. */
  public Optional<Stored> get(String key) {
    return raw(key).map(raw -> new Stored(raw.definition(), raw.version()));
  }

  Optional<Raw> raw(String key) {
    return flags.store().read(Flags.NAMESPACE, key).flatMap(this::decode);
  }

  private Optional<Raw> decode(StateRecord record) {
    try {
      byte[] bytes = record.field(Flags.FIELD).orElse(new byte[0]);
      return Optional.of(
          new Raw(
              codec.decode(bytes, FlagDefinition.class),
              record.version(),
              record.field(SET_BY).map(b -> new String(b, StandardCharsets.UTF_8)).orElse(null),
              digest(bytes)));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String digest(byte[] bytes) {
    try {
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
      return java.util.HexFormat.of().formatHex(hash, 0, 12);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Creates a flag.
   *
   * @throws InvalidFlagException naming every problem
   * @throws FlagConflictException if it exists, or its prerequisites form a cycle
   */
  public Stored create(FlagDefinition definition) {
    CompiledFlag compiled = validate(definition, Map.of(), Map.of());
    Stored stored =
        write(
            compiled,
            Precondition.absent(),
            "flag '" + definition.key() + "' already exists; replace it with PUT",
            null);
    flags.changedByHand(definition.key(), stored.version());
    return stored;
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
    CompiledFlag compiled = validate(definition, Map.of(), Map.of());
    checkJump(before.definition(), definition, confirmed);
    Stored stored = write(compiled, Precondition.versionEquals(before.version()), null, null);
    flags.changedByHand(definition.key(), stored.version());
    return stored;
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
      CompiledFlag compiled = validate(after, Map.of(), Map.of());
      checkJump(before.definition(), after, confirmed);
      try {
        Stored stored = write(compiled, Precondition.versionEquals(before.version()), null, null);
        flags.changedByHand(key, stored.version());
        return stored;
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
   * @throws FlagConflictException if another flag lists it as a prerequisite, a rollout plan is in
   *     progress on it, or it changed since {@code expectedVersion}
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
    Optional<RolloutRecord> plan = RolloutRecord.read(flags.store(), key);
    if (plan.isPresent() && plan.get().state().active()) {
      throw new FlagConflictException(
          FlagConflictException.Kind.IN_USE,
          "flag '"
              + key
              + "' has a rollout plan in progress ("
              + plan.get().state().name().toLowerCase(java.util.Locale.ROOT)
              + "); abort it first (POST /api/v1/rollouts/"
              + key
              + "/abort)");
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

  /**
   * Creates or replaces every definition of {@code bundle}: segments first, then flags. The whole
   * bundle is checked before anything is written (each definition, the segments and prerequisites
   * it names, in the bundle or the store, cycles, and jumps from 0 % to 100 %), so a refused import
   * changes nothing. Definitions already as imported are not written. Nothing is deleted.
   *
   * @param confirmed whether jumps from 0 % to 100 % are intended
   * @throws InvalidFlagException naming every problem
   * @throws FlagConflictException for a cycle, an unconfirmed jump, or a definition that changed
   *     while the import was being written
   */
  public ImportResult importAll(FlagBundle bundle, boolean confirmed) {
    List<String> invalid = new ArrayList<>(bundle.problems());
    Map<String, SegmentAdmin.Stored> storedSegments = new HashMap<>();
    for (SegmentAdmin.Stored segment : flags.segments().list()) {
      storedSegments.put(segment.definition().key(), segment);
    }
    Map<String, SegmentDefinition> importedSegments = new HashMap<>();
    for (SegmentDefinition segment : bundle.segmentsOrEmpty()) {
      if (segment != null) {
        importedSegments.put(segment.key(), segment);
      }
    }
    Map<String, FlagDefinition> importedFlags = new HashMap<>();
    for (FlagDefinition flag : bundle.flags()) {
      if (flag != null) {
        importedFlags.put(flag.key(), flag);
      }
    }
    Map<String, Stored> storedFlags = new HashMap<>();
    for (Stored stored : list()) {
      storedFlags.put(stored.definition().key(), stored);
    }
    for (int i = 0; i < bundle.flags().size(); i++) {
      FlagDefinition flag = bundle.flags().get(i);
      if (flag == null || !FlagValidator.problems(flag).isEmpty()) {
        continue;
      }
      try {
        validate(flag, importedFlags, importedSegments);
      } catch (InvalidFlagException e) {
        for (String problem : e.problems()) {
          invalid.add("flags[" + i + "] (" + flag.key() + ")." + problem);
        }
      }
    }
    if (!invalid.isEmpty()) {
      throw new InvalidFlagException("(import)", invalid);
    }
    for (FlagDefinition flag : bundle.flags()) {
      Stored before = storedFlags.get(flag.key());
      if (before != null) {
        checkJump(before.definition(), flag, confirmed);
      }
    }
    List<String> segmentsCreated = new ArrayList<>();
    List<String> segmentsReplaced = new ArrayList<>();
    List<String> segmentsUnchanged = new ArrayList<>();
    for (SegmentDefinition segment : bundle.segmentsOrEmpty()) {
      SegmentAdmin.Stored before = storedSegments.get(segment.key());
      if (before == null) {
        flags.segments().write(segment, Precondition.absent());
        segmentsCreated.add(segment.key());
      } else if (before.definition().equals(segment)) {
        segmentsUnchanged.add(segment.key());
      } else {
        flags.segments().write(segment, Precondition.versionEquals(before.version()));
        segmentsReplaced.add(segment.key());
      }
    }
    List<String> created = new ArrayList<>();
    List<String> replaced = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    for (FlagDefinition flag : bundle.flags()) {
      Stored before = storedFlags.get(flag.key());
      if (before != null && before.definition().equals(flag)) {
        unchanged.add(flag.key());
        continue;
      }
      CompiledFlag compiled = flags.compile(flag, -1);
      Stored stored =
          write(
              compiled,
              before == null ? Precondition.absent() : Precondition.versionEquals(before.version()),
              "flag '" + flag.key() + "' was created while the import ran; import again",
              null);
      flags.changedByHand(flag.key(), stored.version());
      (before == null ? created : replaced).add(flag.key());
    }
    return new ImportResult(
        created, replaced, unchanged, segmentsCreated, segmentsReplaced, segmentsUnchanged);
  }

  /** Every definition, flags and segments, in the bootstrap file's format. */
  public FlagBundle export() {
    List<FlagDefinition> definitions = new ArrayList<>();
    for (Stored stored : list()) {
      definitions.add(stored.definition());
    }
    List<SegmentDefinition> segments = new ArrayList<>();
    for (SegmentAdmin.Stored stored : flags.segments().list()) {
      segments.add(stored.definition());
    }
    return new FlagBundle(definitions, segments);
  }

  /**
   * Validates {@code definition} as a change to the store: prerequisites and segments must exist
   * (in the store, or in {@code alsoFlags} and {@code alsoSegments}, an import's own) and
   * prerequisites must not form a cycle. Returns it compiled against this server's segments.
   */
  CompiledFlag validate(
      FlagDefinition definition,
      Map<String, FlagDefinition> alsoFlags,
      Map<String, SegmentDefinition> alsoSegments) {
    CompiledFlag compiled = flags.compile(definition, -1);
    List<String> problems = new ArrayList<>();
    if (!compiled.segmentKeys().isEmpty()) {
      List<String> known = new ArrayList<>(alsoSegments.keySet());
      for (SegmentAdmin.Stored stored : flags.segments().list()) {
        known.add(stored.definition().key());
      }
      for (String segment : new java.util.TreeSet<>(compiled.segmentKeys())) {
        if (!known.contains(segment)) {
          problems.add("rules: segment '" + segment + "' does not exist; create it first");
        }
      }
    }
    if (definition.prerequisites() != null && !definition.prerequisites().isEmpty()) {
      Map<String, CompiledFlag> all = new HashMap<>();
      for (Stored stored : list()) {
        all.put(
            stored.definition().key(),
            new CompiledFlag(
                stored.definition(), stored.version(), key -> CompiledSegment.MISSING));
      }
      alsoFlags.forEach(
          (key, other) ->
              all.put(key, new CompiledFlag(other, -1, segment -> CompiledSegment.MISSING)));
      all.put(definition.key(), compiled);
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
      if (problems.isEmpty()) {
        List<String> cycle = CompiledFlag.cycle(definition.key(), all::get);
        if (cycle != null) {
          throw new FlagConflictException(
              FlagConflictException.Kind.IN_USE,
              "prerequisites of flag '"
                  + definition.key()
                  + "' form a cycle: "
                  + String.join(" -> ", cycle));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidFlagException(definition.key(), problems);
    }
    return compiled;
  }

  private Stored write(
      CompiledFlag compiled,
      Precondition precondition,
      @Nullable String existsMessage,
      @Nullable String setBy) {
    FlagDefinition definition = compiled.definition();
    Update.Builder update =
        Update.builder().set(Flags.FIELD, codec.encode(definition)).precondition(precondition);
    if (setBy == null) {
      update.remove(SET_BY);
    } else {
      update.set(SET_BY, setBy);
    }
    WriteResult result;
    try {
      result = flags.store().update(Flags.NAMESPACE, definition.key(), update.build());
    } catch (PreconditionFailedException e) {
      if (precondition.kind() == Precondition.Kind.ABSENT) {
        throw new FlagConflictException(
            FlagConflictException.Kind.EXISTS, Objects.requireNonNull(existsMessage));
      }
      throw e.currentVersion().isPresent()
          ? stale(definition.key(), e.currentVersion().getAsLong())
          : notFound(definition.key());
    }
    flags.applyIfNewer(flags.compile(definition, result.version()), flags.clock().instant());
    return new Stored(definition, result.version());
  }

  /**
   * A rollout plan's write: sets the fallthrough rollout to {@code percentage}, only if the flag is
   * still at {@code expectedVersion} (so a person's change in between is never overwritten), and
   * marks the record as the plan's.
   *
   * @return the new version, or empty if the flag changed or is gone
   */
  OptionalLong setByPlan(
      String key, FlagDefinition current, long expectedVersion, double percentage, String setBy) {
    FlagDefinition after = current.withRolloutPercentage(percentage);
    String mark = setBy + ":" + digest(codec.encode(after));
    try {
      return OptionalLong.of(
          write(flags.compile(after, -1), Precondition.versionEquals(expectedVersion), null, mark)
              .version());
    } catch (FlagConflictException e) {
      return OptionalLong.empty();
    }
  }

  /** The share of units the fallthrough serves a variant other than the off variant, in percent. */
  static double exposure(FlagDefinition flag) {
    if (!flag.isEnabled()) {
      return 0;
    }
    return percentage(flag);
  }

  /**
   * The fallthrough's rollout percentage as a plan reads and sets it, whether or not the flag is
   * killed: a fixed variant is 0 (the off variant) or 100.
   */
  static double percentage(FlagDefinition flag) {
    FlagDefinition.Serve serve = flag.fallthrough();
    if (serve == null) {
      return 100;
    }
    if (serve.variant() != null) {
      return serve.variant().equals(flag.offVariantOrDefault()) ? 0 : 100;
    }
    return serve.rollout().percentage() == null ? 100 : serve.rollout().percentage();
  }

  static void checkJump(FlagDefinition before, FlagDefinition after, boolean confirmed) {
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

  static FlagConflictException stale(String key, long current) {
    return new FlagConflictException(
        FlagConflictException.Kind.STALE,
        "flag '"
            + key
            + "' has changed (now at version "
            + current
            + "); read it again and reapply your change",
        current);
  }
}
