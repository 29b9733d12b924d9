package dev.brownout.admin.servlet;

import dev.brownout.core.admin.Access;
import dev.brownout.core.admin.AdminAuthenticator;
import dev.brownout.core.admin.AdminPrincipal;
import dev.brownout.core.admin.AdminRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.Objects;
import java.util.Optional;

/**
 * Defers to the servlet container's own security: a caller the container has authenticated gets
 * write access if in {@code writeRole}, read access if in {@code readRole}, and nothing otherwise.
 * For applications that already secure their servers and want one login for everything.
 */
// The Servlet API is an optional dependency that the host's container provides, so it is not
// re-exported: modules that use this class read jakarta.servlet themselves.
@SuppressWarnings("exports")
public final class ContainerRolesAuthenticator implements AdminAuthenticator {
  private final String readRole;
  private final String writeRole;

  /** Maps the two container roles to Brownout's two rights. */
  public ContainerRolesAuthenticator(String readRole, String writeRole) {
    this.readRole = Objects.requireNonNull(readRole, "readRole");
    this.writeRole = Objects.requireNonNull(writeRole, "writeRole");
  }

  @Override
  public Optional<AdminPrincipal> authenticate(AdminRequest request) {
    Object raw = request.nativeRequest().orElse(null);
    if (!(raw instanceof HttpServletRequest servletRequest)) {
      return Optional.empty();
    }
    Principal user = servletRequest.getUserPrincipal();
    if (user == null) {
      return Optional.empty();
    }
    if (servletRequest.isUserInRole(writeRole)) {
      return Optional.of(new AdminPrincipal(user.getName(), Access.WRITE));
    }
    if (servletRequest.isUserInRole(readRole)) {
      return Optional.of(new AdminPrincipal(user.getName(), Access.READ));
    }
    return Optional.empty();
  }
}
