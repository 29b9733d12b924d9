/** The flags module's service registrations; not API, not exported. */
@NullMarked
package dev.brownout.flags.internal;

import org.jspecify.annotations.NullMarked;
