package dev.brownout.spring;

import dev.brownout.flags.FlagContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.security.Principal;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The starter's {@link FlagContextResolver}: the authenticated principal, else the current
 * session's id, else anonymous. Reads only what the current thread already has: no session is
 * created for it.
 */
final class PrincipalFlagContextResolver implements FlagContextResolver {
  private static final boolean SECURITY =
      ClassUtils.isPresent(
          "org.springframework.security.core.context.SecurityContextHolder",
          PrincipalFlagContextResolver.class.getClassLoader());
  private static final boolean WEB =
      ClassUtils.isPresent(
              "org.springframework.web.context.request.RequestContextHolder",
              PrincipalFlagContextResolver.class.getClassLoader())
          && ClassUtils.isPresent(
              "jakarta.servlet.http.HttpServletRequest",
              PrincipalFlagContextResolver.class.getClassLoader());

  @Override
  public FlagContext resolve() {
    if (SECURITY) {
      String name = SecurityPrincipal.name();
      if (name != null) {
        return FlagContext.builder(name).attribute("authenticated", "true").build();
      }
    }
    if (WEB) {
      FlagContext fromRequest = fromRequest();
      if (fromRequest != null) {
        return fromRequest;
      }
    }
    return FlagContext.anonymous();
  }

  private static FlagContext fromRequest() {
    RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
    if (!(attributes instanceof ServletRequestAttributes servlet)) {
      return null;
    }
    HttpServletRequest request = servlet.getRequest();
    Principal principal = request.getUserPrincipal();
    if (principal != null) {
      return FlagContext.builder(principal.getName()).attribute("authenticated", "true").build();
    }
    HttpSession session = request.getSession(false);
    if (session != null) {
      return FlagContext.builder(session.getId()).attribute("authenticated", "false").build();
    }
    return null;
  }
}
