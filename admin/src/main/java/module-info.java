/**
 * Brownout's admin transports: the embedded admin server (on the JDK's {@code jdk.httpserver}
 * classes, no container needed), a Jakarta Servlet that mounts the same {@link
 * dev.brownout.core.admin.AdminApi} in the application's own container, and the web console.
 */
module dev.brownout.admin {
  requires transitive dev.brownout.core;
  requires jdk.httpserver;
  requires org.slf4j;
  // Optional: only the servlet adapter uses it, and the host container provides it.
  requires static jakarta.servlet;

  exports dev.brownout.admin;
  exports dev.brownout.admin.servlet;

  provides dev.brownout.core.ModuleDeclarations with
      dev.brownout.admin.internal.AdminDeclarations;
}
