package dev.brownout.flags;

import org.jspecify.annotations.Nullable;

/**
 * A semantic version as semver.org 2.0.0 orders them: {@code major.minor.patch}, then an optional
 * pre-release that sorts before the release, compared identifier by identifier (numeric identifiers
 * as numbers and below alphanumeric ones, so {@code 1.0.0-rc.2 < 1.0.0-rc.10 < 1.0.0}); build
 * metadata ({@code +…}) is ignored. A leading {@code v} and a missing minor or patch ({@code 2},
 * {@code 2.1}) are accepted, as versions are commonly written that way. Parsing never throws.
 * Immutable.
 */
final class Semver implements Comparable<Semver> {
  private static final String[] NONE = new String[0];

  private final long major;
  private final long minor;
  private final long patch;
  // Pre-release identifiers, and for each two longs to compare them by without reading the text:
  // the number (-1 for an alphanumeric identifier), and an alphanumeric identifier of up to seven
  // characters packed big-endian into the low 56 bits, which orders as the text does (-1 for a
  // number or a longer identifier, compared as text).
  private final String[] pre;
  private final int preCount;
  private final long[] preKeys;

  private Semver(long major, long minor, long patch, String[] pre) {
    this.major = major;
    this.minor = minor;
    this.patch = patch;
    this.pre = pre;
    this.preCount = pre.length;
    this.preKeys = new long[2 * pre.length];
    for (int k = 0; k < pre.length; k++) {
      long number = numeric(pre[k]);
      preKeys[2 * k] = number;
      preKeys[2 * k + 1] = number >= 0 ? -1 : packed(pre[k]);
    }
  }

  /** Up to seven ASCII characters, big-endian, so that the longs order as the texts do; or -1. */
  private static long packed(String identifier) {
    if (identifier.length() > 7) {
      return -1;
    }
    long packed = 0;
    for (int i = 0; i < identifier.length(); i++) {
      packed |= (long) identifier.charAt(i) << (8 * (6 - i));
    }
    return packed;
  }

  /** The version {@code text} names, or null if it is not a version. */
  static @Nullable Semver parse(String text) {
    int n = text.length();
    int end = text.indexOf('+');
    if (end < 0) {
      end = n;
    } else if (!identifiers(text, end + 1, n, false)) {
      return null;
    }
    int i = n > 0 && (text.charAt(0) == 'v' || text.charAt(0) == 'V') ? 1 : 0;
    long[] core = new long[3];
    int parts = 0;
    while (true) {
      int start = i;
      long value = 0;
      while (i < end && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
        if (i - start >= 18) {
          return null;
        }
        value = value * 10 + (text.charAt(i) - '0');
        i++;
      }
      if (i == start) {
        return null;
      }
      core[parts++] = value;
      if (i < end && text.charAt(i) == '.' && parts < 3) {
        i++;
        continue;
      }
      break;
    }
    if (i == end) {
      return new Semver(core[0], core[1], core[2], NONE);
    }
    if (text.charAt(i) != '-' || !identifiers(text, i + 1, end, true)) {
      return null;
    }
    String[] pre = text.substring(i + 1, end).split("\\.", -1);
    return new Semver(core[0], core[1], core[2], pre);
  }

  /** Whether text[from, to) is dot-separated, non-empty identifiers of [0-9A-Za-z-]. */
  private static boolean identifiers(String text, int from, int to, boolean preRelease) {
    if (from >= to) {
      return false;
    }
    int length = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c == '.') {
        if (length == 0) {
          return false;
        }
        length = 0;
      } else if ((c >= '0' && c <= '9')
          || (c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || c == '-') {
        length++;
      } else {
        return false;
      }
    }
    return length > 0 || !preRelease;
  }

  /** The identifier as a number, or -1 if it is alphanumeric (or too long to be one). */
  private static long numeric(String identifier) {
    if (identifier.length() > 18) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < identifier.length(); i++) {
      char c = identifier.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  @Override
  public int compareTo(Semver other) {
    int c = Long.compare(major, other.major);
    if (c == 0) {
      c = Long.compare(minor, other.minor);
    }
    if (c == 0) {
      c = Long.compare(patch, other.patch);
    }
    if (c != 0) {
      return c;
    }
    int count = preCount;
    int otherCount = other.preCount;
    if (count == 0 || otherCount == 0) {
      // A release sorts after its pre-releases.
      return Integer.compare(otherCount == 0 ? 0 : 1, count == 0 ? 0 : 1);
    }
    long[] keys = preKeys;
    long[] otherKeys = other.preKeys;
    for (int i = 0; i < Math.min(count, otherCount); i++) {
      long a = keys[2 * i];
      long b = otherKeys[2 * i];
      if (a >= 0 && b >= 0) {
        c = Long.compare(a, b);
      } else if (a >= 0 || b >= 0) {
        // Numeric identifiers have lower precedence than alphanumeric ones.
        c = a >= 0 ? -1 : 1;
      } else {
        long packedA = keys[2 * i + 1];
        long packedB = otherKeys[2 * i + 1];
        c =
            packedA >= 0 && packedB >= 0
                ? Long.compare(packedA, packedB)
                : pre[i].compareTo(other.pre[i]);
      }
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(count, otherCount);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Semver semver && compareTo(semver) == 0;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(major * 31 * 31 + minor * 31 + patch) ^ String.join(".", pre).hashCode();
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch + (pre.length == 0 ? "" : "-" + String.join(".", pre));
  }
}
