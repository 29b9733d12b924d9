package dev.brownout.core.admin;

import java.util.Optional;

/**
 * Decides who is calling the admin API. Brownout ships {@link BearerTokenAuthenticator}; an
 * application can plug in its own (its single sign-on, its servlet container's roles through {@link
 * AdminRequest#nativeRequest()}).
 */
@FunctionalInterface
public interface AdminAuthenticator {

  /**
   * Authenticates a request from its headers (and, if needed, the server's own request object).
   *
   * @return the principal, or empty if the request carries no valid credentials (answered 401)
   */
  Optional<AdminPrincipal> authenticate(AdminRequest request);
}
