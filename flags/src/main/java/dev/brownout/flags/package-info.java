/**
 * Feature flags: definitions with targeting and sticky percentage rollout, evaluated against an
 * immutable in-memory snapshot kept in step with a {@code StateStore}, kill switches, admin routes
 * and {@code @FeatureFlag} for service methods.
 */
@NullMarked
package dev.brownout.flags;

import org.jspecify.annotations.NullMarked;
