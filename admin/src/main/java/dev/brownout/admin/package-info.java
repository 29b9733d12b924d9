/**
 * The embedded admin server and the web console: {@link dev.brownout.admin.AdminServer} serves an
 * {@link dev.brownout.core.admin.AdminApi} on its own port, loopback by default, with no servlet
 * container.
 */
@NullMarked
package dev.brownout.admin;

import org.jspecify.annotations.NullMarked;
