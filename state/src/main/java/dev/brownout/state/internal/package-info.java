/** Helpers shared by the store implementations; not API. */
@NullMarked
package dev.brownout.state.internal;

import org.jspecify.annotations.NullMarked;
