/** The flags module's implementation: hashing, compiled flags, storage. Not API. */
@NullMarked
package dev.brownout.flags.internal;

import org.jspecify.annotations.NullMarked;
