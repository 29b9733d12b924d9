/**
 * The admin API: routes that modules contribute, served by the embedded {@link
 * dev.brownout.core.admin.AdminServer} or inside the application's own servlet container by {@link
 * dev.brownout.core.admin.servlet.AdminServlet}. {@link dev.brownout.core.admin.AdminApi} owns what
 * every route shares: authentication with separate read and write rights, problem+json errors, ETag
 * preconditions and the audit trail.
 */
@NullMarked
package dev.brownout.core.admin;

import org.jspecify.annotations.NullMarked;
