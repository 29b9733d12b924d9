package dev.brownout.flags;

/**
 * How units (users, accounts, devices) are assigned to buckets, deterministically and for ever: the
 * same unit gets the same bucket on every server, after every restart, in every version.
 *
 * <p>{@code bucket = unsigned(MurmurHash3_x86_32(utf8(salt + ":" + unit), seed)) % 100000}. The
 * salt is the flag key unless the flag names another (flags sharing a salt share their cohorts).
 * The rollout gate uses seed {@value #ROLLOUT_SEED}; the choice among variants uses seed {@value
 * #VARIANT_SEED}, so who is in a rollout and which variant they get are independent.
 *
 * <p>A unit is in a rollout of {@code p} percent when {@code bucket < p * 1000}: raising the
 * percentage only ever adds units.
 */
public final class Bucketing {
  /** The number of buckets: rollouts are set in steps of 0.001 %. */
  public static final int BUCKETS = 100_000;

  /** The seed of the rollout gate. */
  public static final int ROLLOUT_SEED = 0;

  /** The seed of the variant choice. */
  public static final int VARIANT_SEED = 0x5bd1e995;

  private Bucketing() {}

  /** The bucket, in {@code [0, 100000)}, of {@code unit} under {@code salt} and {@code seed}. */
  public static int bucket(String salt, String unit, int seed) {
    return (int) (Integer.toUnsignedLong(Murmur3.hash(salt, unit, seed)) % BUCKETS);
  }

  /** The threshold of a percentage: units whose bucket is below it are in. */
  public static int threshold(double percentage) {
    if (!(percentage >= 0 && percentage <= 100)) {
      throw new IllegalArgumentException(
          "rollout percentage must be between 0 and 100 but was " + percentage);
    }
    return (int) Math.round(percentage * (BUCKETS / 100.0));
  }
}
