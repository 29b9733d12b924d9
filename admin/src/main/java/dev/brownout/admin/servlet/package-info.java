/**
 * The admin API inside the application's own Jakarta Servlet container. The Servlet API is an
 * optional dependency: only applications that use this package need it, and their container
 * provides it.
 */
@NullMarked
package dev.brownout.admin.servlet;

import org.jspecify.annotations.NullMarked;
