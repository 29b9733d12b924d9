/**
 * Typed, layered, validated configuration. Every key is declared once as a {@link
 * dev.brownout.core.config.ConfigKey} (name, type, default, documentation); {@link
 * dev.brownout.core.config.BrownoutConfig} reads the layers and reports every bad key at once.
 */
@NullMarked
package dev.brownout.core.config;

import org.jspecify.annotations.NullMarked;
