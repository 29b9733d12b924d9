/**
 * Feature flags in JUnit 5 tests: {@link dev.brownout.flags.junit.BrownoutFlagsExtension} gives
 * each test its own in-memory {@link dev.brownout.flags.Flags}, set by {@link
 * dev.brownout.flags.junit.FlagOn}, {@link dev.brownout.flags.junit.FlagOff} and {@link
 * dev.brownout.flags.junit.FlagValue}. JUnit Jupiter is an optional dependency.
 */
@NullMarked
package dev.brownout.flags.junit;

import org.jspecify.annotations.NullMarked;
