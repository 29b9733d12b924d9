package dev.brownout.flags;

/**
 * MurmurHash3 x86_32 (Austin Appleby's public-domain algorithm), over the UTF-8 encoding of text,
 * computed without allocating: characters are encoded to bytes as they are consumed.
 */
final class Murmur3 {
  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private static final java.lang.invoke.VarHandle LITTLE_ENDIAN_INT =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
          int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  private Murmur3() {}

  /** The hash of {@code bytes} with {@code seed}. */
  static int hash(byte[] bytes, int seed) {
    State state = new State(seed);
    for (byte b : bytes) {
      state.add(b & 0xff);
    }
    return state.finish();
  }

  /**
   * The hash state after a fixed prefix ({@code salt + ':'}), computed once so that hashing a unit
   * only processes the unit's bytes.
   *
   * @param h the running hash after the prefix's complete 4-byte blocks
   * @param block the prefix's trailing bytes, not yet mixed
   * @param filled how many trailing bytes (0 to 3)
   * @param length the prefix's length in bytes
   */
  public record Prefix(int h, int block, int filled, int length) {
    /** The state after the UTF-8 bytes of {@code salt + ':'} with {@code seed}. */
    public static Prefix of(String salt, int seed) {
      byte[] bytes = (salt + ":").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      int h = seed;
      int full = bytes.length & ~3;
      for (int i = 0; i < full; i += 4) {
        int k =
            (bytes[i] & 0xff)
                | (bytes[i + 1] & 0xff) << 8
                | (bytes[i + 2] & 0xff) << 16
                | (bytes[i + 3] & 0xff) << 24;
        h = mixH(h, mixK(k));
      }
      int block = 0;
      for (int i = full; i < bytes.length; i++) {
        block |= (bytes[i] & 0xff) << (8 * (i - full));
      }
      return new Prefix(h, block, bytes.length - full, bytes.length);
    }

    /**
     * The bucket, as {@link dev.brownout.flags.Bucketing#bucket}, of the prefix followed by {@code
     * unit}.
     */
    public int bucket(String unit) {
      return (int) (Integer.toUnsignedLong(hash(unit)) % dev.brownout.flags.Bucketing.BUCKETS);
    }

    /** The bucket of the prefix followed by {@code utf8}, the UTF-8 bytes of a unit. */
    public int bucket(byte[] utf8) {
      return (int) (Integer.toUnsignedLong(hash(utf8)) % dev.brownout.flags.Bucketing.BUCKETS);
    }

    /**
     * The hash of the prefix followed by {@code utf8}: four bytes a step, read as one little-endian
     * int. The prefix's trailing bytes (up to three) sit at the low end of a 64-bit window; each
     * step adds four bytes above them and mixes the window's low 32 bits.
     */
    public int hash(byte[] utf8) {
      return Murmur3.hash(h, block, filled, length, utf8);
    }

    /** The hash of the prefix followed by the UTF-8 bytes of {@code unit}; allocates nothing. */
    public int hash(String unit) {
      int h = this.h;
      int block = this.block;
      int filled = this.filled;
      int length = this.length;
      int n = unit.length();
      for (int i = 0; i < n; i++) {
        int c = unit.charAt(i);
        if (c < 0x80) {
          block |= c << (8 * filled);
          length++;
          if (++filled == 4) {
            h = mixH(h, mixK(block));
            block = 0;
            filled = 0;
          }
          continue;
        }
        int codePoint = c;
        if (Character.isHighSurrogate((char) c)
            && i + 1 < n
            && Character.isLowSurrogate(unit.charAt(i + 1))) {
          codePoint = Character.toCodePoint((char) c, unit.charAt(++i));
        } else if (Character.isSurrogate((char) c)) {
          codePoint = '?';
        }
        int count = codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
        for (int k = 0; k < count; k++) {
          int b =
              k == 0
                  ? (count == 2 ? 0xc0 : count == 3 ? 0xe0 : 0xf0)
                      | (codePoint >>> (6 * (count - 1)))
                  : 0x80 | ((codePoint >>> (6 * (count - 1 - k))) & 0x3f);
          block |= (b & 0xff) << (8 * filled);
          length++;
          if (++filled == 4) {
            h = mixH(h, mixK(block));
            block = 0;
            filled = 0;
          }
        }
      }
      if (filled > 0) {
        h ^= mixK(block);
      }
      return fmix(h ^ length);
    }
  }

  /**
   * The hash of a prefix's state ({@link Prefix}'s components) followed by {@code utf8}, for
   * callers that keep the state in their own fields.
   */
  static int hash(int prefixH, int block, int filled, int length, byte[] utf8) {
    int h = prefixH;
    int n = utf8.length;
    long window = block & 0xffffffffL;
    int shift = 8 * filled;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      window |= ((int) LITTLE_ENDIAN_INT.get(utf8, i) & 0xffffffffL) << shift;
      h = mixH(h, mixK((int) window));
      window >>>= 32;
    }
    for (; i < n; i++) {
      window |= (utf8[i] & 0xffL) << shift;
      shift += 8;
    }
    if (shift >= 32) {
      h = mixH(h, mixK((int) window));
      window >>>= 32;
      shift -= 32;
    }
    if (shift > 0) {
      h ^= mixK((int) window);
    }
    return fmix(h ^ (length + n));
  }

  /** The hash of the UTF-8 bytes of {@code first + ':' + second}, with {@code seed}. */
  static int hash(String first, String second, int seed) {
    int h = seed;
    int block = 0;
    int filled = 0;
    int length = 0;
    for (int part = 0; part < 3; part++) {
      String text = part == 0 ? first : part == 1 ? ":" : second;
      int n = text.length();
      for (int i = 0; i < n; i++) {
        int c = text.charAt(i);
        int codePoint = c;
        if (Character.isHighSurrogate((char) c)
            && i + 1 < n
            && Character.isLowSurrogate(text.charAt(i + 1))) {
          codePoint = Character.toCodePoint((char) c, text.charAt(++i));
        } else if (Character.isSurrogate((char) c)) {
          codePoint = '?'; // what String.getBytes(UTF_8) writes for a lone surrogate
        }
        // Encode the code point as 1 to 4 UTF-8 bytes, feeding each to the block.
        int count = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
        for (int k = 0; k < count; k++) {
          int b;
          if (count == 1) {
            b = codePoint;
          } else if (k == 0) {
            b = (count == 2 ? 0xc0 : count == 3 ? 0xe0 : 0xf0) | (codePoint >>> (6 * (count - 1)));
          } else {
            b = 0x80 | ((codePoint >>> (6 * (count - 1 - k))) & 0x3f);
          }
          block |= (b & 0xff) << (8 * filled);
          filled++;
          length++;
          if (filled == 4) {
            h = mixH(h, mixK(block));
            block = 0;
            filled = 0;
          }
        }
      }
    }
    if (filled > 0) {
      h ^= mixK(block);
    }
    return fmix(h ^ length);
  }

  private static int mixK(int k) {
    k *= C1;
    k = Integer.rotateLeft(k, 15);
    return k * C2;
  }

  private static int mixH(int h, int k) {
    h ^= k;
    h = Integer.rotateLeft(h, 13);
    return h * 5 + 0xe6546b64;
  }

  private static int fmix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  /** Byte-at-a-time state, for {@link #hash(byte[], int)}. */
  private static final class State {
    int h;
    int block;
    int filled;
    int length;

    State(int seed) {
      this.h = seed;
    }

    void add(int b) {
      block |= b << (8 * filled);
      filled++;
      length++;
      if (filled == 4) {
        h = mixH(h, mixK(block));
        block = 0;
        filled = 0;
      }
    }

    int finish() {
      int result = h;
      if (filled > 0) {
        result ^= mixK(block);
      }
      return fmix(result ^ length);
    }
  }
}
