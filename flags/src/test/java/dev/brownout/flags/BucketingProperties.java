package dev.brownout.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/** Bucketing must be right, sticky, uniform, monotonic and the same for ever. */
class BucketingProperties {

  @Example
  void murmurMatchesThePublishedReferenceVectors() {
    assertThat(Murmur3.hash(new byte[0], 0)).isEqualTo(0);
    assertThat(Murmur3.hash(new byte[0], 1)).isEqualTo(0x514E28B7);
    assertThat(Murmur3.hash(new byte[0], 0xffffffff)).isEqualTo(0x81F16F39);
    assertThat(Murmur3.hash(new byte[] {0, 0, 0, 0}, 0)).isEqualTo(0x2362F9DE);
    int seed = 0x9747b28c;
    assertThat(Murmur3.hash(ascii("a"), seed)).isEqualTo(0x7FA09EA6);
    assertThat(Murmur3.hash(ascii("ab"), seed)).isEqualTo(0x74875592);
    assertThat(Murmur3.hash(ascii("abc"), seed)).isEqualTo(0xC84A62DD);
    assertThat(Murmur3.hash(ascii("abcd"), seed)).isEqualTo(0xF0478627);
    assertThat(Murmur3.hash(ascii("aaaa"), seed)).isEqualTo(0x5A97808A);
    assertThat(Murmur3.hash(ascii("Hello, world!"), seed)).isEqualTo(0x24884CBA);
    assertThat(Murmur3.hash(ascii("The quick brown fox jumps over the lazy dog"), seed))
        .isEqualTo(0x2FA826CD);
  }

  @Property(tries = 2000)
  void streamingUtf8HashEqualsGuavasHashOfTheEncodedBytes(
      @ForAll String salt, @ForAll String unit, @ForAll int seed) {
    byte[] bytes = (salt + ":" + unit).getBytes(StandardCharsets.UTF_8);
    int expected = Hashing.murmur3_32_fixed(seed).hashBytes(bytes).asInt();

    assertThat(Murmur3.hash(salt, unit, seed)).isEqualTo(expected);
    assertThat(Murmur3.Prefix.of(salt, seed).hash(unit)).isEqualTo(expected);
    assertThat(Murmur3.Prefix.of(salt, seed).hash(unit.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(expected);
    assertThat(Murmur3.hash(bytes, seed)).isEqualTo(expected);
  }

  @Property(tries = 2000)
  void byteHashEqualsGuavasHashForEveryPrefixAlignment(
      @ForAll @CharRange(from = 'a', to = 'e') @StringLength(max = 7) String salt,
      @ForAll
          @CharRange(from = 0, to = 0x7f)
          @CharRange(from = 0xe9, to = 0xe9)
          @StringLength(max = 40)
          String unit,
      @ForAll int seed) {
    byte[] bytes = (salt + ":" + unit).getBytes(StandardCharsets.UTF_8);
    int expected = Hashing.murmur3_32_fixed(seed).hashBytes(bytes).asInt();

    assertThat(Murmur3.Prefix.of(salt, seed).hash(unit)).isEqualTo(expected);
    assertThat(Murmur3.Prefix.of(salt, seed).hash(unit.getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(expected);
  }

  @Property(tries = 300)
  void raisingARolloutNeverRemovesAUnit(
      @ForAll("units") String unit,
      @ForAll @DoubleRange(min = 0, max = 100) double lower,
      @ForAll @DoubleRange(min = 0, max = 100) double higher) {
    double low = Math.min(lower, higher);
    double high = Math.max(lower, higher);
    int bucket = Bucketing.bucket("new-checkout", unit, Bucketing.ROLLOUT_SEED);
    if (bucket < Bucketing.threshold(low)) {
      assertThat(bucket).isLessThan(Bucketing.threshold(high));
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> units() {
    return net.jqwik.api.Arbitraries.strings().ofMinLength(1).ofMaxLength(40);
  }

  @Example
  void bucketsAreUniformOverAHundredThousandUnits() {
    int cells = 100;
    long[] counts = new long[cells];
    int units = 100_000;
    for (int i = 0; i < units; i++) {
      counts[
          Bucketing.bucket("uniformity", "user-" + i, Bucketing.ROLLOUT_SEED)
              * cells
              / Bucketing.BUCKETS]++;
    }
    double expected = units / (double) cells;
    double chiSquare = 0;
    for (long count : counts) {
      chiSquare += (count - expected) * (count - expected) / expected;
    }
    // 99 degrees of freedom: the 99.9th percentile of chi-square is about 148.2.
    assertThat(chiSquare).isLessThan(148.2);
  }

  @Example
  void rolloutAndVariantAssignmentsAreIndependent() {
    // Of the units in a 10% rollout, a 50/50 variant split must still be 50/50: with one seed for
    // both, the rollout's units would all fall in the first variant.
    int inRollout = 0;
    int firstVariant = 0;
    for (int i = 0; i < 200_000; i++) {
      String unit = "user-" + i;
      if (Bucketing.bucket("ab-test", unit, Bucketing.ROLLOUT_SEED) < Bucketing.threshold(10)) {
        inRollout++;
        if (Bucketing.bucket("ab-test", unit, Bucketing.VARIANT_SEED) < Bucketing.BUCKETS / 2) {
          firstVariant++;
        }
      }
    }
    double share = firstVariant / (double) inRollout;
    assertThat(inRollout).isBetween(19_000, 21_000);
    assertThat(share).isBetween(0.47, 0.53);
  }

  @Example
  void assignmentsNeverChange() throws IOException {
    List<String> lines;
    try (InputStream in = getClass().getResourceAsStream("/golden-buckets.csv")) {
      lines =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .filter(l -> !l.startsWith("#"))
              .toList();
    }
    assertThat(lines).hasSizeGreaterThan(100);
    for (String line : lines) {
      String[] parts = line.split(",", -1);
      String salt = parts[0];
      String unit = parts[1];
      assertThat(Bucketing.bucket(salt, unit, Bucketing.ROLLOUT_SEED))
          .as("rollout bucket of " + unit + " under " + salt)
          .isEqualTo(Integer.parseInt(parts[2]));
      assertThat(Bucketing.bucket(salt, unit, Bucketing.VARIANT_SEED))
          .as("variant bucket of " + unit + " under " + salt)
          .isEqualTo(Integer.parseInt(parts[3]));
    }
  }

  @Property(tries = 200)
  void thresholdsCoverTheRange(@ForAll @IntRange(min = 0, max = 100) int percent) {
    assertThat(Bucketing.threshold(percent)).isEqualTo(percent * 1000);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
