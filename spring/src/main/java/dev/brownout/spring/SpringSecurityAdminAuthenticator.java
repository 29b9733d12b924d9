package dev.brownout.spring;

import dev.brownout.core.admin.Access;
import dev.brownout.core.admin.AdminAuthenticator;
import dev.brownout.core.admin.AdminPrincipal;
import dev.brownout.core.admin.AdminRequest;
import java.util.Optional;
import java.util.Set;

/**
 * Admin callers as Spring Security authenticated them: the write authority may change, the read
 * authority may look, anyone else is refused (401). The principal's name goes into the audit trail.
 */
final class SpringSecurityAdminAuthenticator implements AdminAuthenticator {
  private final String readAuthority;
  private final String writeAuthority;

  SpringSecurityAdminAuthenticator(String readAuthority, String writeAuthority) {
    this.readAuthority = readAuthority;
    this.writeAuthority = writeAuthority;
  }

  @Override
  public Optional<AdminPrincipal> authenticate(AdminRequest request) {
    String name = SecurityPrincipal.name();
    if (name == null) {
      return Optional.empty();
    }
    Set<String> authorities = SecurityPrincipal.authorities();
    if (authorities.contains(writeAuthority)) {
      return Optional.of(new AdminPrincipal(name, Access.WRITE));
    }
    if (authorities.contains(readAuthority)) {
      return Optional.of(new AdminPrincipal(name, Access.READ));
    }
    return Optional.empty();
  }
}
