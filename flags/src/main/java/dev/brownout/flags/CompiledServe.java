package dev.brownout.flags;

import dev.brownout.flags.FlagEvaluation.Reason;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A fixed variant ({@code fixed >= 0}), or a rollout with its precomputed results; every result is
 * an index into the flag's outcomes.
 */
record CompiledServe(
    int fixed,
    int threshold,
    Murmur3.@Nullable Prefix rolloutPrefix,
    Murmur3.@Nullable Prefix variantPrefix,
    String bucketBy,
    boolean byKey,
    int[] cumulative,
    int[] in,
    int out,
    // The rollout prefix's state again, in this record's own fields: the hot path hashes the key
    // without first loading the prefix.
    int rolloutH,
    int rolloutBlock,
    int rolloutFilled,
    int rolloutLength) {
  CompiledServe(
      int fixed,
      int threshold,
      Murmur3.@Nullable Prefix rolloutPrefix,
      Murmur3.@Nullable Prefix variantPrefix,
      String bucketBy,
      boolean byKey,
      int[] cumulative,
      int[] in,
      int out) {
    this(
        fixed,
        threshold,
        rolloutPrefix,
        variantPrefix,
        bucketBy,
        byKey,
        cumulative,
        in,
        out,
        rolloutPrefix == null ? 0 : rolloutPrefix.h(),
        rolloutPrefix == null ? 0 : rolloutPrefix.block(),
        rolloutPrefix == null ? 0 : rolloutPrefix.filled(),
        rolloutPrefix == null ? 0 : rolloutPrefix.length());
  }

  int serve(FlagContext context) {
    if (fixed >= 0) {
      return fixed;
    }
    int bucket = byKey ? keyBucket(context) : bucket(rolloutPrefix, context);
    if (bucket < 0) {
      return out;
    }
    if (in.length == 1) {
      // One variant in. Units fall either side at random, so a branch here would mispredict
      // often; arithmetic instead: inside is 1 when bucket < threshold (both are non-negative).
      int inside = (bucket - threshold) >>> 31;
      return out + inside * (in[0] - out);
    }
    if (bucket >= threshold) {
      return out;
    }
    int variantBucket = bucket(variantPrefix, context);
    for (int i = 0; i < cumulative.length; i++) {
      if (variantBucket < cumulative[i]) {
        return in[i];
      }
    }
    return in[in.length - 1];
  }

  // The rollout bucket of the context's key, from this record's copy of the prefix's state.
  private int keyBucket(FlagContext context) {
    byte[] key = context.keyUtf8();
    if (key.length == 0) {
      return -1;
    }
    int hash = Murmur3.hash(rolloutH, rolloutBlock, rolloutFilled, rolloutLength, key);
    return (int) (Integer.toUnsignedLong(hash) % Bucketing.BUCKETS);
  }

  /** Whether this serves a rollout (rather than one variant). */
  boolean isRollout() {
    return fixed < 0;
  }

  /** The unit's rollout bucket, 0 to 99 999, or -1 if it has none (no value to bucket by). */
  int rolloutBucket(FlagContext context) {
    return bucket(rolloutPrefix, context);
  }

  /** The unit's bucket for the choice among variants, or -1. */
  int variantBucket(FlagContext context) {
    return bucket(variantPrefix, context);
  }

  /** The unit's bucket under {@code prefix}, or -1 if the context has no unit to bucket by. */
  private int bucket(Murmur3.Prefix prefix, FlagContext context) {
    if (byKey) {
      byte[] key = context.keyUtf8();
      return key.length == 0 ? -1 : prefix.bucket(key);
    }
    String unit = context.attribute(bucketBy);
    return unit == null ? -1 : prefix.bucket(unit);
  }

  static CompiledServe compile(
      FlagDefinition definition,
      FlagDefinition.Serve serve,
      Reason reason,
      @Nullable String ruleId,
      List<FlagEvaluation> outcomes,
      long version) {
    String key = definition.key();
    Map<String, Object> variants = definition.variantsOrDefault();
    String off = definition.offVariantOrDefault();
    if (serve.variant() != null) {
      int fixed =
          CompiledFlag.add(
              outcomes,
              new FlagEvaluation(
                  key, serve.variant(), variants.get(serve.variant()), reason, ruleId, version));
      return new CompiledServe(fixed, 0, null, null, "", false, new int[0], new int[0], fixed);
    }
    FlagDefinition.Rollout rollout = serve.rollout();
    Reason in = reason == Reason.RULE ? Reason.RULE : Reason.SPLIT;
    Map<String, Integer> weights = rollout.variants();
    if (weights == null || weights.isEmpty()) {
      String first =
          variants.keySet().stream().filter(name -> !name.equals(off)).findFirst().orElse(off);
      weights = Map.of(first, 1);
    }
    long total = weights.values().stream().mapToLong(Integer::longValue).sum();
    int[] cumulative = new int[weights.size()];
    int[] results = new int[weights.size()];
    long running = 0;
    int i = 0;
    for (Map.Entry<String, Integer> weight : weights.entrySet()) {
      running += weight.getValue();
      cumulative[i] = (int) (running * Bucketing.BUCKETS / total);
      results[i] =
          CompiledFlag.add(
              outcomes,
              new FlagEvaluation(
                  key, weight.getKey(), variants.get(weight.getKey()), in, ruleId, version));
      i++;
    }
    String otherwise = rollout.otherwise() == null ? off : rollout.otherwise();
    String bucketBy = rollout.bucketBy() == null ? "key" : rollout.bucketBy();
    return new CompiledServe(
        -1,
        Bucketing.threshold(rollout.percentage() == null ? 100 : rollout.percentage()),
        Murmur3.Prefix.of(rollout.salt() == null ? key : rollout.salt(), Bucketing.ROLLOUT_SEED),
        Murmur3.Prefix.of(rollout.salt() == null ? key : rollout.salt(), Bucketing.VARIANT_SEED),
        bucketBy,
        bucketBy.equals("key"),
        cumulative,
        results,
        CompiledFlag.add(
            outcomes,
            new FlagEvaluation(
                key,
                otherwise,
                variants.get(otherwise),
                reason == Reason.RULE ? Reason.RULE : Reason.SPLIT_OUT,
                ruleId,
                version)));
  }
}
