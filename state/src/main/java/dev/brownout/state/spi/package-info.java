/**
 * For implementations of {@link dev.brownout.state.StateStore} (Brownout's own and third-party
 * ones) and for modules that read records on hot paths: the argument checks every store makes
 * ({@link dev.brownout.state.spi.StoreChecks}), change delivery to watchers ({@link
 * dev.brownout.state.spi.ChangeDelivery}), and record fields shared rather than copied ({@link
 * dev.brownout.state.spi.RecordFields}). Applications need none of it. A store outside this
 * repository proves itself with {@code brownout-state-testkit}'s contract suite.
 */
@NullMarked
package dev.brownout.state.spi;

import org.jspecify.annotations.NullMarked;
