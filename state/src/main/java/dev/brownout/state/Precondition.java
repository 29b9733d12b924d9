package dev.brownout.state;

/**
 * What must be true of a record for a write to happen. An expired record counts as absent.
 *
 * @param kind the kind of condition
 * @param version the expected version, for {@link Kind#VERSION_EQUALS}
 */
public record Precondition(Kind kind, long version) {
  /** The kinds of precondition. */
  public enum Kind {
    /** No condition. */
    NONE,
    /** The record must not exist: create only. */
    ABSENT,
    /**
     * The record must exist: update only (a session save never recreates an invalidated session).
     */
    PRESENT,
    /** The record must exist at exactly this version: compare-and-set. */
    VERSION_EQUALS
  }

  private static final Precondition NONE = new Precondition(Kind.NONE, 0);
  private static final Precondition ABSENT = new Precondition(Kind.ABSENT, 0);
  private static final Precondition PRESENT = new Precondition(Kind.PRESENT, 0);

  /** No condition. */
  public static Precondition none() {
    return NONE;
  }

  /** The record must not exist. */
  public static Precondition absent() {
    return ABSENT;
  }

  /** The record must exist. */
  public static Precondition present() {
    return PRESENT;
  }

  /** The record must exist at {@code version}. */
  public static Precondition versionEquals(long version) {
    return new Precondition(Kind.VERSION_EQUALS, version);
  }

  @Override
  public String toString() {
    return kind == Kind.VERSION_EQUALS
        ? "version == " + version
        : kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
