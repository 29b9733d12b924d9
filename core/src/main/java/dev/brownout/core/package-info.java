/** The pieces every Brownout module shares: the base exception and module declarations. */
@NullMarked
package dev.brownout.core;

import org.jspecify.annotations.NullMarked;
