/** Servlet helpers shared by Brownout's filters; not API. */
@NullMarked
package dev.brownout.core.internal.servlet;

import org.jspecify.annotations.NullMarked;
