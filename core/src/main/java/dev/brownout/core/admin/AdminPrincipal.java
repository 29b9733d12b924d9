package dev.brownout.core.admin;

import java.util.Objects;

/**
 * Who is calling the admin API, and with what right. The name goes into the audit trail, so it
 * should identify a person or a system, never the token itself.
 *
 * @param name who is calling, such as {@code ops} or {@code deploy-bot}
 * @param access the highest right held
 */
public record AdminPrincipal(String name, Access access) {
  /** Validates the principal. */
  public AdminPrincipal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(access, "access");
    if (name.isBlank()) {
      throw new IllegalArgumentException("principal name must not be blank");
    }
  }
}
