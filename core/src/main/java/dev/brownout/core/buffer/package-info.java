/**
 * Bounded buffers for work handed off to be done later ({@link
 * dev.brownout.core.buffer.BoundedBuffer}): a capacity, a policy for what a full buffer drops, and
 * meters of fill and drops, so a slow consumer never takes the heap with it.
 */
@NullMarked
package dev.brownout.core.buffer;

import org.jspecify.annotations.NullMarked;
