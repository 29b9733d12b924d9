package dev.brownout.flags;

import java.util.Map;

/**
 * Units (keys) mapped to small numbers, for the lists that evaluation checks a unit against: a
 * segment's included and excluded units, a flag's individual targets. Open addressing over the
 * units' hashes, kept in an array of their own: a unit that is not listed (nearly every unit) is
 * told apart by comparing ints, without reading any listed unit's text. Immutable.
 */
final class UnitTable {
  /** The number {@link #find} gives for a unit that is not listed. */
  static final int ABSENT = -1;

  private static final UnitTable EMPTY = new UnitTable(Map.of());

  // Each listed unit's hash, never 0 (a hash of 0 is stored as 1): 0 marks an empty place, so a
  // probe reads one int array until a hash matches, and the units' array only then.
  private final int[] hashes;
  private final String[] units;
  private final int[] values;
  private final int mask;
  private final int size;

  private UnitTable(Map<String, Integer> entries) {
    // At most half full, so a probe for a unit that is not listed ends soon.
    int capacity = Integer.highestOneBit(Math.max(1, entries.size()) * 2 - 1) << 1;
    this.hashes = new int[capacity];
    this.units = new String[capacity];
    this.values = new int[capacity];
    this.mask = capacity - 1;
    this.size = entries.size();
    for (Map.Entry<String, Integer> entry : entries.entrySet()) {
      String unit = entry.getKey();
      int hash = unit.hashCode();
      int i = spread(hash) & mask;
      while (units[i] != null) {
        i = (i + 1) & mask;
      }
      hashes[i] = stored(hash);
      units[i] = unit;
      values[i] = entry.getValue();
    }
  }

  /** A table of {@code entries}; their values must not be negative. */
  static UnitTable of(Map<String, Integer> entries) {
    return entries.isEmpty() ? EMPTY : new UnitTable(entries);
  }

  /** A table of {@code units}, each numbered 0. */
  static UnitTable of(Iterable<String> units) {
    Map<String, Integer> entries = new java.util.HashMap<>();
    for (String unit : units) {
      entries.put(unit, 0);
    }
    return of(entries);
  }

  /** Whether nothing is listed. */
  boolean isEmpty() {
    return size == 0;
  }

  /** Whether {@code unit}, whose {@link String#hashCode} is {@code hash}, is listed. */
  boolean contains(String unit, int hash) {
    return find(unit, hash) != ABSENT;
  }

  /** The number listed for {@code unit} (of hash {@code hash}), or {@link #ABSENT}. */
  int find(String unit, int hash) {
    int wanted = stored(hash);
    int[] all = hashes;
    for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
      int seen = all[i];
      if (seen == 0) {
        return ABSENT;
      }
      if (seen == wanted && units[i].equals(unit)) {
        return values[i];
      }
    }
  }

  private static int stored(int hash) {
    return hash == 0 ? 1 : hash;
  }

  private static int spread(int hash) {
    return hash ^ (hash >>> 16);
  }
}
