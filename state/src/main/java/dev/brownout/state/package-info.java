/**
 * The storage contract shared by flags, sessions and read mode: records of named byte fields with a
 * version and an optional expiry, in namespaces.
 */
@NullMarked
package dev.brownout.state;

import org.jspecify.annotations.NullMarked;
