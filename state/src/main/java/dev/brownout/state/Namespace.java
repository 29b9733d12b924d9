package dev.brownout.state;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A named set of records, and what may be done with it. A namespace is either:
 *
 * <ul>
 *   <li><b>small</b> (flags, read-mode reasons, audit records): it can be listed and watched, and
 *       stores may keep its records together (one Redis cluster slot, one DynamoDB partition);
 *   <li><b>large</b> (sessions): point reads and writes only, spread across the store, never
 *       listed; watching it is opt-in ({@link #withWatch()}), because every write then notifies
 *       every server.
 * </ul>
 *
 * @param name lower-case letters, digits, {@code -} and {@code _}, 1 to 64 characters
 * @param small whether the namespace is small: listable and watchable
 * @param watchable whether writes notify watchers
 */
public record Namespace(String name, boolean small, boolean watchable) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  /** Validates the namespace. */
  public Namespace {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "namespace name must be 1 to 64 lower-case letters, digits, '-' or '_' but was '"
              + name
              + "'");
    }
    if (small && !watchable) {
      throw new IllegalArgumentException("small namespace " + name + " is always watchable");
    }
  }

  /** A small namespace: listable and watchable. */
  public static Namespace small(String name) {
    return new Namespace(name, true, true);
  }

  /** A large namespace: point operations only. */
  public static Namespace large(String name) {
    return new Namespace(name, false, false);
  }

  /**
   * This namespace with watching enabled (for a large namespace whose changes servers must see).
   */
  public Namespace withWatch() {
    return new Namespace(name, small, true);
  }

  @Override
  public String toString() {
    return name;
  }
}
