package dev.brownout.degrade;

import java.nio.charset.StandardCharsets;

/**
 * Places units in 100 000 buckets as flags do (MurmurHash3 x86 32-bit over {@code salt + ":" +
 * unit}), so an experiment's percentage picks a sticky, evenly spread share of units, and raising
 * it only adds units.
 */
final class UnitBuckets {
  static final int BUCKETS = 100_000;

  private UnitBuckets() {}

  static int bucket(String salt, String unit) {
    byte[] data = (salt + ":" + unit).getBytes(StandardCharsets.UTF_8);
    return (int) ((murmur3(data, 0) & 0xffffffffL) % BUCKETS);
  }

  static int murmur3(byte[] data, int seed) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h = seed;
    int blocks = data.length / 4;
    for (int i = 0; i < blocks; i++) {
      int k =
          (data[4 * i] & 0xff)
              | (data[4 * i + 1] & 0xff) << 8
              | (data[4 * i + 2] & 0xff) << 16
              | (data[4 * i + 3] & 0xff) << 24;
      k *= c1;
      k = Integer.rotateLeft(k, 15);
      k *= c2;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int tail = blocks * 4;
    int rest = data.length & 3;
    if (rest > 0) {
      int k = 0;
      if (rest == 3) {
        k ^= (data[tail + 2] & 0xff) << 16;
      }
      if (rest >= 2) {
        k ^= (data[tail + 1] & 0xff) << 8;
      }
      k ^= data[tail] & 0xff;
      k *= c1;
      k = Integer.rotateLeft(k, 15);
      k *= c2;
      h ^= k;
    }
    h ^= data.length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
