package dev.brownout.spring;

import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/** Reads Spring Security's current authentication; only loaded when Spring Security is there. */
final class SecurityPrincipal {
  private SecurityPrincipal() {}

  /** The name of the authenticated principal, or null if there is none or it is anonymous. */
  static @Nullable String name() {
    Authentication authentication = current();
    return authentication == null ? null : authentication.getName();
  }

  /** The authorities of the authenticated principal; empty if there is none. */
  static Set<String> authorities() {
    Authentication authentication = current();
    if (authentication == null) {
      return Set.of();
    }
    return authentication.getAuthorities().stream()
        .map(GrantedAuthority::getAuthority)
        .collect(Collectors.toSet());
  }

  private static @Nullable Authentication current() {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (authentication == null
        || !authentication.isAuthenticated()
        || authentication instanceof AnonymousAuthenticationToken) {
      return null;
    }
    return authentication;
  }
}
