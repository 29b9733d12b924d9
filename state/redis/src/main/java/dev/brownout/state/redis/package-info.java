/**
 * A {@code StateStore} on Redis: one hash per record, every update one Lua script that also
 * publishes the change, hash tags so a record's keys share a cluster slot.
 */
@NullMarked
package dev.brownout.state.redis;

import org.jspecify.annotations.NullMarked;
