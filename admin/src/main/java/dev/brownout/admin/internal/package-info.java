/** The admin module's implementation details; not API, not exported. */
@NullMarked
package dev.brownout.admin.internal;

import org.jspecify.annotations.NullMarked;
