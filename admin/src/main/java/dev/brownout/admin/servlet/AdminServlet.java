package dev.brownout.admin.servlet;

import dev.brownout.admin.AdminServer;
import dev.brownout.admin.Console;
import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.Problem;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;

/**
 * Serves an {@link AdminApi} from the application's own servlet container, with exactly the
 * behaviour of the embedded {@link AdminServer}, console included. Map it to a path with a
 * wildcard; routes are matched against the part after it:
 *
 * <pre>{@code
 * context.addServlet(new ServletHolder(new AdminServlet(api)), "/brownout/*");
 * // GET /brownout/api/v1 is the route index
 * }</pre>
 */
// The Servlet API is an optional dependency that the host's container provides, so it is not
// re-exported: modules that use this class read jakarta.servlet themselves.
@SuppressWarnings("exports")
public final class AdminServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient AdminApi api;
  private final int maxBodyBytes;

  /** Serves {@code api}, accepting request bodies of up to 1 MiB. */
  public AdminServlet(AdminApi api) {
    this(api, 1024 * 1024);
  }

  /** Serves {@code api}, accepting request bodies of up to {@code maxBodyBytes}. */
  public AdminServlet(AdminApi api, int maxBodyBytes) {
    this.api = Objects.requireNonNull(api, "api");
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes must be positive but was " + maxBodyBytes);
    }
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    String path = request.getPathInfo() == null ? "/" : rawPathInfo(request);
    AdminResponse answer;
    if (path.equals(AdminServer.CONSOLE_PATH) && request.getMethod().equals("GET")) {
      answer = Console.response();
    } else {
      answer = answer(request, path);
    }
    response.setStatus(answer.status());
    answer.headers().forEach(response::setHeader);
    byte[] bytes = answer.body();
    if (!answer.contentType().isEmpty()) {
      response.setContentType(answer.contentType() + "; charset=utf-8");
    }
    if (bytes.length > 0 && !"HEAD".equals(request.getMethod())) {
      response.setContentLength(bytes.length);
      try (OutputStream out = response.getOutputStream()) {
        out.write(bytes);
      }
    }
  }

  private AdminResponse answer(HttpServletRequest request, String path) throws IOException {
    AdminRequest.Builder builder =
        AdminRequest.builder(request.getMethod(), path)
            .rawQuery(request.getQueryString())
            .nativeRequest(request);
    for (String name : Collections.list(request.getHeaderNames())) {
      for (String value : Collections.list(request.getHeaders(name))) {
        builder.header(name, value);
      }
    }
    // Authenticate and route on the head alone, so that no body is read for a refused request.
    Optional<AdminResponse> refused = api.refuseBeforeBody(builder.build());
    if (refused.isPresent()) {
      return refused.get();
    }
    long declared = request.getContentLengthLong();
    if (declared > maxBodyBytes) {
      return tooLarge(path);
    }
    byte[] body = request.getInputStream().readNBytes(maxBodyBytes + 1);
    if (body.length > maxBodyBytes) {
      return tooLarge(path);
    }
    return api.handle(builder.body(body).build());
  }

  private AdminResponse tooLarge(String path) {
    return AdminResponse.problem(
        Problem.of(
                "payload-too-large",
                "Payload too large",
                413,
                "admin request bodies are limited to " + maxBodyBytes + " bytes")
            .withInstance(path));
  }

  /**
   * The path below the servlet, still percent-encoded, so that an encoded {@code /} inside a flag
   * key is not taken for a separator.
   */
  private static String rawPathInfo(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String prefix = request.getContextPath() + request.getServletPath();
    return uri.startsWith(prefix) ? uri.substring(prefix.length()) : request.getPathInfo();
  }
}
