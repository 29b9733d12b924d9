/**
 * Brownout flags behind the OpenFeature API: {@link
 * dev.brownout.flags.openfeature.BrownoutFeatureProvider}. The OpenFeature SDK is an optional
 * dependency; add {@code dev.openfeature:sdk} to use this package.
 */
@NullMarked
package dev.brownout.flags.openfeature;

import org.jspecify.annotations.NullMarked;
