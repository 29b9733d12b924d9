package dev.brownout.flags;

import dev.brownout.core.json.JsonCodec;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Creates, changes and deletes segments. Each change is validated whole and written with a
 * precondition; a segment that flags refer to cannot be deleted. Flags that use a segment see its
 * change at once on the writing server, and on the others within the store's notification delay.
 */
public final class SegmentAdmin {
  /**
   * A segment as stored.
   *
   * @param definition the definition
   * @param version the store's version, the basis of ETags
   */
  public record Stored(SegmentDefinition definition, long version) {}

  private final Flags flags;
  private final JsonCodec codec = JsonCodec.standard();

  SegmentAdmin(Flags flags) {
    this.flags = flags;
  }

  /** Every segment in the store, by key. */
  public List<Stored> list() {
    List<Stored> stored = new ArrayList<>();
    for (StateRecord record : flags.store().list(Flags.SEGMENTS)) {
      decode(record).ifPresent(stored::add);
    }
    stored.sort(Comparator.comparing(s -> s.definition().key()));
    return stored;
  }

  /** One segment from the store. */
  public Optional<Stored> get(String key) {
    return flags.store().read(Flags.SEGMENTS, key).flatMap(this::decode);
  }

  private Optional<Stored> decode(StateRecord record) {
    try {
      return Optional.of(
          new Stored(
              codec.decode(record.field(Flags.FIELD).orElse(new byte[0]), SegmentDefinition.class),
              record.version()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Creates a segment.
   *
   * @throws InvalidFlagException naming every problem
   * @throws FlagConflictException if it exists
   */
  public Stored create(SegmentDefinition segment) {
    segment.validate();
    return write(segment, Precondition.absent());
  }

  /**
   * Replaces a segment.
   *
   * @param expectedVersion the version the caller read, or empty to replace whatever is there
   * @throws FlagConflictException if it does not exist or changed since {@code expectedVersion}
   */
  public Stored replace(SegmentDefinition segment, OptionalLong expectedVersion) {
    segment.validate();
    Stored before = get(segment.key()).orElseThrow(() -> notFound(segment.key()));
    if (expectedVersion.isPresent() && expectedVersion.getAsLong() != before.version()) {
      throw stale(segment.key(), before.version());
    }
    return write(segment, Precondition.versionEquals(before.version()));
  }

  /**
   * Deletes a segment.
   *
   * @return whether it existed
   * @throws FlagConflictException if flags refer to it, or it changed since {@code expectedVersion}
   */
  public boolean delete(String key, OptionalLong expectedVersion) {
    List<String> users = usedBy(key);
    if (!users.isEmpty()) {
      throw new FlagConflictException(
          FlagConflictException.Kind.IN_USE,
          "segment '" + key + "' is used by flags " + users + "; change those first");
    }
    try {
      boolean deleted =
          flags
              .store()
              .delete(
                  Flags.SEGMENTS,
                  key,
                  expectedVersion.isPresent()
                      ? Precondition.versionEquals(expectedVersion.getAsLong())
                      : Precondition.none());
      flags.applySegment(key, null);
      return deleted;
    } catch (PreconditionFailedException e) {
      throw e.currentVersion().isPresent()
          ? stale(key, e.currentVersion().getAsLong())
          : notFound(key);
    }
  }

  /** The keys of the stored flags whose rules refer to the segment {@code key}. */
  public List<String> usedBy(String key) {
    List<String> users = new ArrayList<>();
    for (FlagAdmin.Stored stored : flags.admin().list()) {
      if (referencesSegment(stored.definition(), key)) {
        users.add(stored.definition().key());
      }
    }
    return users;
  }

  static boolean referencesSegment(FlagDefinition flag, String segment) {
    if (flag.rules() == null) {
      return false;
    }
    for (FlagDefinition.Rule rule : flag.rules()) {
      for (FlagDefinition.Condition condition : rule.conditions()) {
        Operator operator = Operator.parse(condition.operator());
        if (operator != null && operator.isSegment() && condition.values().contains(segment)) {
          return true;
        }
      }
    }
    return false;
  }

  Stored write(SegmentDefinition segment, Precondition precondition) {
    WriteResult result;
    try {
      result =
          flags
              .store()
              .update(
                  Flags.SEGMENTS,
                  segment.key(),
                  Update.builder()
                      .set(Flags.FIELD, codec.encode(segment))
                      .precondition(precondition)
                      .build());
    } catch (PreconditionFailedException e) {
      if (precondition.kind() == Precondition.Kind.ABSENT) {
        throw new FlagConflictException(
            FlagConflictException.Kind.EXISTS,
            "segment '" + segment.key() + "' already exists; replace it with PUT");
      }
      throw e.currentVersion().isPresent()
          ? stale(segment.key(), e.currentVersion().getAsLong())
          : notFound(segment.key());
    }
    flags.applySegment(segment.key(), new CompiledSegment(segment, result.version()));
    return new Stored(segment, result.version());
  }

  private static FlagConflictException notFound(String key) {
    return new FlagConflictException(
        FlagConflictException.Kind.NOT_FOUND, "no segment '" + key + "'");
  }

  private static FlagConflictException stale(String key, long current) {
    return new FlagConflictException(
        FlagConflictException.Kind.STALE,
        "segment '"
            + key
            + "' has changed (now at version "
            + current
            + "); read it again and reapply your change",
        current);
  }
}
