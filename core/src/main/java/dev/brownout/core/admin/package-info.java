/**
 * The admin API: routes that modules contribute, served by {@code brownout-admin}'s embedded server
 * or servlet inside the application's own container. {@link dev.brownout.core.admin.AdminApi} owns
 * what every route shares: authentication with separate read and write rights, problem+json errors,
 * ETag preconditions and the audit trail.
 */
@NullMarked
package dev.brownout.core.admin;

import org.jspecify.annotations.NullMarked;
