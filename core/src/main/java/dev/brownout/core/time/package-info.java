/**
 * Time as a dependency: everything in Brownout that waits, expires or schedules reads a {@link
 * dev.brownout.core.time.BrownoutClock}, so tests can move time by hand.
 */
@NullMarked
package dev.brownout.core.time;

import org.jspecify.annotations.NullMarked;
