package dev.brownout.core.admin;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One admin route: a method and a path template such as {@code /api/v1/flags/{key}}, the right it
 * needs, a stable id (used as the audit action and as a metric tag) and its handler.
 */
public final class AdminRoute {
  private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*");
  private static final Pattern PARAM = Pattern.compile("\\{[a-zA-Z][a-zA-Z0-9]*}");
  private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~-]+");

  private final String method;
  private final String template;
  private final String[] segments;
  private final Access access;
  private final String id;
  private final String summary;
  private final AdminHandler handler;

  private AdminRoute(
      String method,
      String template,
      Access access,
      String id,
      String summary,
      AdminHandler handler) {
    this.method = method.toUpperCase(Locale.ROOT);
    this.template = Objects.requireNonNull(template, "template");
    this.access = Objects.requireNonNull(access, "access");
    this.id = Objects.requireNonNull(id, "id");
    this.summary = Objects.requireNonNull(summary, "summary");
    this.handler = Objects.requireNonNull(handler, "handler");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "route id must be lower-case words separated by '.' but was '" + id + "'");
    }
    this.segments = parse(template);
  }

  /** A route that reads, for {@code GET}. */
  public static AdminRoute get(String template, String id, String summary, AdminHandler handler) {
    return new AdminRoute("GET", template, Access.READ, id, summary, handler);
  }

  /**
   * A route that changes state; {@code method} is {@code POST}, {@code PUT}, {@code PATCH} or
   * {@code DELETE}.
   */
  public static AdminRoute write(
      String method, String template, String id, String summary, AdminHandler handler) {
    String upper = method.toUpperCase(Locale.ROOT);
    if (!Set.of("POST", "PUT", "PATCH", "DELETE").contains(upper)) {
      throw new IllegalArgumentException(
          "a write route's method must be POST, PUT, PATCH or DELETE but was " + method);
    }
    return new AdminRoute(upper, template, Access.WRITE, id, summary, handler);
  }

  private static String[] parse(String template) {
    if (!template.startsWith("/")) {
      throw new IllegalArgumentException(
          "route template must start with '/' but was '" + template + "'");
    }
    String trimmed =
        template.length() > 1 && template.endsWith("/")
            ? template.substring(0, template.length() - 1)
            : template;
    String[] parts = trimmed.equals("/") ? new String[0] : trimmed.substring(1).split("/", -1);
    Set<String> names = new HashSet<>();
    for (String part : parts) {
      if (PARAM.matcher(part).matches()) {
        if (!names.add(part)) {
          throw new IllegalArgumentException(
              "route template '" + template + "' repeats parameter " + part);
        }
      } else if (!LITERAL.matcher(part).matches()) {
        throw new IllegalArgumentException(
            "route template '" + template + "' has an invalid segment '" + part + "'");
      }
    }
    return parts;
  }

  /** The HTTP method. */
  public String method() {
    return method;
  }

  /** The path template. */
  public String template() {
    return template;
  }

  /** The right the route needs. */
  public Access access() {
    return access;
  }

  /** The stable id, such as {@code flags.replace}. */
  public String id() {
    return id;
  }

  /** What the route does, in a line, for the route index. */
  public String summary() {
    return summary;
  }

  AdminHandler handler() {
    return handler;
  }

  boolean sameShape(AdminRoute other) {
    if (segments.length != other.segments.length) {
      return false;
    }
    for (int i = 0; i < segments.length; i++) {
      boolean param = segments[i].startsWith("{");
      if (param != other.segments[i].startsWith("{")
          || (!param && !segments[i].equals(other.segments[i]))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Matches decoded path segments against the template.
   *
   * @return the path parameters as alternating names and values, or empty if the path does not
   *     match
   */
  Optional<List<String>> match(List<String> path) {
    if (path.size() != segments.length) {
      return Optional.empty();
    }
    List<String> params = new ArrayList<>();
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      if (segment.startsWith("{")) {
        params.add(segment.substring(1, segment.length() - 1));
        params.add(path.get(i));
      } else if (!segment.equals(path.get(i))) {
        return Optional.empty();
      }
    }
    return Optional.of(params);
  }

  @Override
  public String toString() {
    return method + " " + template;
  }
}
