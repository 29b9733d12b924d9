package dev.brownout.flags;

/** The type of a flag's values, as its variants declare it (all variants share one type). */
public enum FlagType {
  /** {@code true} and {@code false}. */
  BOOLEAN,
  /** Text. */
  STRING,
  /** Whole numbers, all within the range of a {@code long} (they read as numbers too). */
  INTEGER,
  /** Numbers, some with a fraction or beyond a {@code long}. */
  NUMBER,
  /** JSON objects or arrays. */
  JSON
}
