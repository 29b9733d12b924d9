package dev.brownout.flags;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Every flag and segment definition at one moment, compiled: immutable, and swapped whole when
 * anything changes, so an evaluation never sees half an update.
 */
public final class FlagSnapshot {
  private static final FlagSnapshot EMPTY = new FlagSnapshot(Map.of(), Map.of(), Instant.EPOCH);

  // Never changed after construction and never handed out: the keys for listing and the base of
  // the next snapshot. Its keys are interned: flag keys in application code are literals, so a
  // lookup in the table below usually matches by identity without comparing characters.
  private final Map<String, CompiledFlag> flags;
  private final Map<String, CompiledSegment> segments;
  private final Instant loadedAt;
  // Made once: a method reference built per evaluation would allocate on the hot path.
  private final Function<String, @Nullable CompiledFlag> lookup;

  // The same flags in an open-addressed table for every lookup: one probe, and usually an
  // identity match (interned keys), with no node to follow.
  private final String[] tableKeys;
  private final CompiledFlag[] tableFlags;
  private final int mask;

  private FlagSnapshot(
      Map<String, CompiledFlag> flags, Map<String, CompiledSegment> segments, Instant loadedAt) {
    this.flags = flags;
    this.segments = segments;
    this.loadedAt = loadedAt;
    int capacity = Integer.highestOneBit(Math.max(2, flags.size() * 2 - 1)) << 1;
    this.tableKeys = new String[capacity];
    this.tableFlags = new CompiledFlag[capacity];
    this.mask = capacity - 1;
    flags.forEach(
        (key, flag) -> {
          int i = slot(key);
          while (tableKeys[i] != null) {
            i = (i + 1) & mask;
          }
          tableKeys[i] = key;
          tableFlags[i] = flag;
        });
    this.lookup = this::compiled;
  }

  private int slot(String key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & mask;
  }

  /** No flags. */
  public static FlagSnapshot empty() {
    return EMPTY;
  }

  static FlagSnapshot of(
      Collection<CompiledFlag> compiled, Map<String, CompiledSegment> segments, Instant loadedAt) {
    Map<String, CompiledFlag> map = new HashMap<>();
    for (CompiledFlag flag : compiled) {
      map.put(flag.definition().key().intern(), flag);
    }
    return new FlagSnapshot(map, Map.copyOf(segments), loadedAt);
  }

  @Nullable CompiledFlag compiled(String key) {
    String[] keys = tableKeys;
    for (int i = slot(key); ; i = (i + 1) & mask) {
      String candidate = keys[i];
      if (candidate == key) {
        return tableFlags[i];
      }
      if (candidate == null) {
        return null;
      }
      if (candidate.equals(key)) {
        return tableFlags[i];
      }
    }
  }

  /** The lookup evaluation uses for prerequisites. */
  Function<String, @Nullable CompiledFlag> lookup() {
    return lookup;
  }

  /** A segment for compiling a flag that refers to it; {@link CompiledSegment#MISSING} if none. */
  CompiledSegment compiledSegment(String key) {
    CompiledSegment segment = segments.get(key);
    return segment == null ? CompiledSegment.MISSING : segment;
  }

  /** The compiled segments. */
  Map<String, CompiledSegment> compiledSegments() {
    return segments;
  }

  /** Every compiled flag. */
  Collection<CompiledFlag> compiledFlags() {
    return flags.values();
  }

  /** A flag's definition. */
  public Optional<FlagDefinition> definition(String key) {
    CompiledFlag flag = compiled(key);
    return flag == null ? Optional.empty() : Optional.of(flag.definition());
  }

  /** The type of a flag's values. */
  public Optional<FlagType> type(String key) {
    CompiledFlag flag = compiled(key);
    return flag == null ? Optional.empty() : Optional.of(flag.kind());
  }

  /** A flag's stored version. */
  public Optional<Long> version(String key) {
    CompiledFlag flag = compiled(key);
    return flag == null ? Optional.empty() : Optional.of(flag.version());
  }

  /** Every flag key. */
  public Set<String> keys() {
    return Collections.unmodifiableSet(flags.keySet());
  }

  /** A segment's definition. */
  public Optional<SegmentDefinition> segment(String key) {
    CompiledSegment segment = segments.get(key);
    return segment == null ? Optional.empty() : Optional.ofNullable(segment.definition());
  }

  /** Every segment key. */
  public Set<String> segmentKeys() {
    return segments.keySet();
  }

  /** When this snapshot was read from the store. */
  public Instant loadedAt() {
    return loadedAt;
  }

  /** The number of flags. */
  public int size() {
    return flags.size();
  }

  int evaluateAndCount(CompiledFlag flag, FlagContext context) {
    return flag.evaluateAndCount(context, lookup);
  }

  FlagSnapshot with(CompiledFlag flag, Instant at) {
    Map<String, CompiledFlag> map = new HashMap<>(flags);
    map.put(flag.definition().key().intern(), flag);
    return new FlagSnapshot(map, segments, at);
  }

  FlagSnapshot without(String key, Instant at) {
    Map<String, CompiledFlag> map = new HashMap<>(flags);
    map.remove(key);
    return new FlagSnapshot(map, segments, at);
  }
}
