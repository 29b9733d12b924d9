/** Core's implementation details; not API, not exported. */
@NullMarked
package dev.brownout.core.internal;

import org.jspecify.annotations.NullMarked;
