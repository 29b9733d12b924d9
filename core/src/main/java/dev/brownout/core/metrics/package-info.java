/**
 * Micrometer meters under {@code brownout.*}, each declared once as a {@link
 * dev.brownout.core.metrics.MeterSpec} and registered through {@link
 * dev.brownout.core.metrics.BrownoutMetrics}, which keeps tag values bounded.
 */
@NullMarked
package dev.brownout.core.metrics;

import org.jspecify.annotations.NullMarked;
