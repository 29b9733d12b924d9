package dev.brownout.degrade;

/**
 * Says whether a unit (a user, an account, a device) belongs to a named segment, so that a
 * fault-injection experiment can target segments as a flag does. The degrade module does not depend
 * on the flags module; an application that uses both passes a matcher over its flag segments, or
 * any membership it keeps. Called on the calling thread of every targeted call: it must be fast and
 * must not throw.
 */
@FunctionalInterface
public interface SegmentMatcher {
  /** Whether {@code unit} is in {@code segment}. */
  boolean contains(String segment, String unit);
}
