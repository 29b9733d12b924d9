package dev.brownout.site;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRoute;
import dev.brownout.degrade.FaultInjection;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.Resilience;
import dev.brownout.flags.Flags;
import dev.brownout.state.InMemoryStateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The admin API reference, from the code: every route as the modules declare it (method, path,
 * right, id, summary), taken from the route lists the modules build, and every problem type the
 * main sources name, found in their {@code Problem.of(...)} calls and the admin server's refusals.
 * Problems named after the thing a route handles ({@code invalid-flag}, {@code segment-exists}) are
 * listed for each thing the module's routes handle.
 */
final class AdminApiReference {
  private static final Pattern LITERAL =
      Pattern.compile("Problem\\.of\\(\\s*\"([a-z-]+)\",\\s*\"([^\"]+)\",\\s*(\\d{3})");

  /** A transport's own refusals, made as {@code (status, "name", "Title", detail)}. */
  private static final Pattern REFUSAL =
      Pattern.compile("\\(\\s*(\\d{3}),\\s*\"([a-z][a-z-]+)\",\\s*\"([A-Z][^\"]+)\"");

  /**
   * Problems named after what a route handles: {@code "invalid-" + what}, {@code what + "-exists"}.
   */
  private static final Pattern FAMILY =
      Pattern.compile(
          "Problem\\.of\\(\\s*(?:\"([a-z-]*)\"\\s*\\+\\s*)?what(?:\\s*\\+\\s*\"([a-z-]*)\")?\\s*,"
              + "\\s*(?:\"([^\"]*)\"\\s*\\+\\s*)?[a-z(]*what\\)?(?:\\s*\\+\\s*\"([^\"]*)\")?\\s*,\\s*(\\d{3})");

  private static final Pattern WHAT = Pattern.compile("(?:guarded|invalid)\\(\\s*\"([a-z]+)\"");

  private AdminApiReference() {}

  /**
   * A problem type: its name under {@code https://brownout.dev/problems/}, title, status, module.
   */
  record ProblemType(String name, String title, int status, Set<String> modules) {}

  /** The routes, by the module that contributes them. */
  static Map<String, List<AdminRoute>> routes() {
    Map<String, List<AdminRoute>> byModule = new LinkedHashMap<>();
    try (InMemoryStateStore store = InMemoryStateStore.create();
        Flags flags = Flags.builder(store).build();
        ReadMode readMode = ReadMode.builder(store).build();
        Resilience resilience = Resilience.builder(store).circuitBreaker("payments").build();
        FaultInjection faults = FaultInjection.builder(store).enabled(true).build()) {
      List<AdminRoute> modules = new ArrayList<>();
      byModule.put("brownout-flags", flags.adminRoutes());
      byModule.put("brownout-degrade (browse-only)", readMode.adminRoutes());
      byModule.put("brownout-degrade (guarded calls)", resilience.adminRoutes());
      byModule.put("brownout-degrade (fault injection)", faults.adminRoutes());
      byModule.values().forEach(modules::addAll);
      AdminApi api =
          AdminApi.builder()
              .writeTokens(List.of("reference-token-0123456789"))
              .routes(modules)
              .build();
      List<AdminRoute> core = new ArrayList<>(api.routes());
      core.removeAll(modules);
      Map<String, List<AdminRoute>> ordered = new LinkedHashMap<>();
      ordered.put("brownout-core", core);
      ordered.putAll(byModule);
      return ordered;
    }
  }

  /** The problem types the main sources of the modules under {@code repository} answer. */
  static List<ProblemType> problemTypes(Path repository) throws IOException {
    Map<String, ProblemType> types = new TreeMap<>();
    for (Javadoc.Module module : Javadoc.modules(repository)) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(module.sources())) {
        files = walk.filter(p -> p.toString().endsWith(".java")).toList();
      }
      for (Path file : files) {
        String source = Files.readString(file);
        Matcher literal = LITERAL.matcher(source);
        while (literal.find()) {
          add(types, literal.group(1), literal.group(2), literal.group(3), module.artifact());
        }
        Matcher refusal = REFUSAL.matcher(source);
        while (refusal.find()) {
          add(types, refusal.group(2), refusal.group(3), refusal.group(1), module.artifact());
        }
        Matcher family = FAMILY.matcher(source);
        if (!family.find()) {
          continue;
        }
        Set<String> whats = new TreeSet<>();
        for (Path sibling : files) {
          Matcher what = WHAT.matcher(Files.readString(sibling));
          while (what.find()) {
            whats.add(what.group(1));
          }
        }
        family.reset();
        while (family.find()) {
          for (String what : whats) {
            String capital = Character.toUpperCase(what.charAt(0)) + what.substring(1);
            String name = nonNull(family.group(1)) + what + nonNull(family.group(2));
            String title =
                family.group(3) != null
                    ? family.group(3) + what + nonNull(family.group(4))
                    : capital + nonNull(family.group(4));
            add(types, name, title, family.group(5), module.artifact());
          }
        }
      }
    }
    return List.copyOf(types.values());
  }

  private static String nonNull(String text) {
    return text == null ? "" : text;
  }

  private static void add(
      Map<String, ProblemType> types, String name, String title, String status, String module) {
    if (name.equals("none")) {
      return; // AdminApi's placeholder for "a route matched", never sent
    }
    types
        .computeIfAbsent(
            name, n -> new ProblemType(n, title, Integer.parseInt(status), new TreeSet<>()))
        .modules()
        .add(module);
  }

  static String markdown(Path repository) throws IOException {
    StringBuilder text =
        new StringBuilder(
            "<!-- Generated from the code by AdminApiReference; do not edit. -->\n\n"
                + "# Admin API reference\n\n"
                + "Every route the modules contribute, as they declare it, and every problem type"
                + " the admin API can answer. How to serve the API, authenticate, use ETags and read"
                + " the audit trail is in the [admin API guide](../admin-api.md); each module's"
                + " guide describes its bodies, and the [examples](#examples) below show requests"
                + " and answers as the build recorded them.\n\n"
                + "All paths are under the admin server's root (`http://127.0.0.1:9099` by default)"
                + " or wherever the servlet is mounted. *read* routes accept read and write tokens;"
                + " *write* routes need a write token, write an audit record, and honour `If-Match`"
                + " where they return an `ETag`.\n");
    for (Map.Entry<String, List<AdminRoute>> module : routes().entrySet()) {
      text.append("\n## ")
          .append(module.getKey())
          .append("\n\n| Method | Path | Right | Id | What |\n|---|---|---|---|---|\n");
      for (AdminRoute route : module.getValue()) {
        text.append("| `")
            .append(route.method())
            .append("` | `")
            .append(route.template())
            .append("` | ")
            .append(route.access().name().toLowerCase(java.util.Locale.ROOT))
            .append(" | `")
            .append(route.id())
            .append("` | ")
            .append(route.summary().replace("|", "\\|"))
            .append(" |\n");
      }
    }
    text.append(AdminApiExamples.markdown());
    text.append(
        "\n## Problem types\n\n"
            + "Every problem type the sources name. Those named after a thing (`invalid-flag`,"
            + " `segment-exists`) are listed for each thing the module's routes handle, whether or"
            + " not every route can answer each one. Every error is `application/problem+json` with `type`"
            + " `https://brownout.dev/problems/<name>`. What each means for a caller is in the"
            + " [admin API guide](../admin-api.md#errors).\n\n"
            + "| Status | Name | Title | From |\n|---|---|---|---|\n");
    problemTypes(repository).stream()
        .sorted(
            (a, b) ->
                a.status() != b.status() ? a.status() - b.status() : a.name().compareTo(b.name()))
        .forEach(
            type ->
                text.append("| ")
                    .append(type.status())
                    .append(" | `")
                    .append(type.name())
                    .append("` | ")
                    .append(type.title())
                    .append(" | ")
                    .append(String.join(", ", type.modules()))
                    .append(" |\n"));
    return text.toString();
  }
}
