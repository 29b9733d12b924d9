package dev.brownout.site;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One Javadoc for every library module in the BOM, grouped by module, showing the packages a user
 * may use: a module's unqualified {@code exports} where it has a {@code module-info.java}, every
 * package but {@code internal} ones where it has none. Runs the JDK's own {@code javadoc} tool in
 * class-path mode over a copy of the sources without their module descriptors, so modules and the
 * class-path starter can share one index and link to each other.
 */
final class Javadoc {
  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
  private static final Pattern ARTIFACT =
      Pattern.compile("<artifactId>(brownout-[a-z0-9-]+)</artifactId>");
  private static final Pattern EXPORT = Pattern.compile("(?m)^\\s*exports\\s+([a-z0-9_.]+)\\s*;");
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([a-z0-9_.]+)\\s*;");

  private Javadoc() {}

  /** A library module: its artifact, its sources, and the packages it shows. */
  record Module(String artifact, Path sources, List<String> packages) {}

  static void write(Path repository, String classPath, Path api, Path work) throws IOException {
    List<Module> modules = modules(repository);
    SiteBuilder.delete(work);
    SiteBuilder.delete(api);
    Files.createDirectories(work);
    for (Module module : modules) {
      try (Stream<Path> walk = Files.walk(module.sources())) {
        for (Path file :
            (Iterable<Path>) walk.filter(p -> p.toString().endsWith(".java"))::iterator) {
          if (file.getFileName().toString().equals("module-info.java")) {
            continue;
          }
          Path copy = work.resolve(module.sources().relativize(file).toString());
          Files.createDirectories(copy.getParent());
          Files.copy(file, copy);
        }
      }
    }
    String dependencies =
        Stream.of(classPath.split(File.pathSeparator))
            .filter(entry -> !entry.isBlank())
            .filter(entry -> !Path.of(entry).toAbsolutePath().normalize().startsWith(repository))
            .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("brownout-"))
            .collect(Collectors.joining(File.pathSeparator));
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "-d",
            api.toString(),
            "-sourcepath",
            work.toString(),
            "-classpath",
            dependencies,
            "--release",
            "17",
            "-encoding",
            "UTF-8",
            "-docencoding",
            "UTF-8",
            "-charset",
            "UTF-8",
            "-quiet",
            "-notimestamp",
            "-Xdoclint:none",
            "-windowtitle",
            "Brownout API",
            "-doctitle",
            "Brownout API: every library module"));
    for (Module module : modules) {
      args.add("-group");
      args.add(module.artifact());
      args.add(String.join(":", module.packages()));
    }
    modules.forEach(module -> args.addAll(module.packages()));
    ToolProvider javadoc =
        ToolProvider.findFirst("javadoc")
            .orElseThrow(
                () -> new IllegalStateException("the Javadoc tool needs a JDK, not a JRE"));
    StringWriter output = new StringWriter();
    try (PrintWriter writer = new PrintWriter(output)) {
      int status = javadoc.run(writer, writer, args.toArray(String[]::new));
      writer.flush();
      if (status != 0) {
        throw new IllegalStateException("javadoc failed (" + status + "):\n" + output);
      }
    }
    repair(api);
  }

  /**
   * Two flaws of some JDK 17 builds' output that the site's link check and browser test catch: the
   * stylesheet imports {@code resources/fonts/dejavu.css}, which Debian's JDK packages leave out
   * (the stylesheet's own font fallbacks then apply), and the constant-values page's contents link
   * to a package group ({@code #dev.brownout}) that has no anchor of its own, only its first
   * package has.
   */
  static void repair(Path api) throws IOException {
    Path fonts = api.resolve("resources/fonts/dejavu.css");
    if (Files.readString(api.resolve("stylesheet.css")).contains("resources/fonts/dejavu.css")
        && !Files.exists(fonts)) {
      Files.createDirectories(fonts.getParent());
      Files.writeString(
          fonts,
          "/* The JDK's DejaVu fonts are not installed: the stylesheet's fallbacks apply. */\n");
    }
    Path constants = api.resolve("constant-values.html");
    if (!Files.exists(constants)) {
      return;
    }
    String page = Files.readString(constants);
    Matcher link = Pattern.compile("href=\"#([a-z0-9_.]+)\"").matcher(page);
    StringBuilder fixed = new StringBuilder();
    while (link.find()) {
      String anchor = link.group(1);
      String replacement = link.group();
      if (!page.contains("id=\"" + anchor + "\"")) {
        Matcher first =
            Pattern.compile("id=\"(" + Pattern.quote(anchor) + "\\.[a-z0-9_.]+)\"").matcher(page);
        if (first.find()) {
          replacement = "href=\"#" + first.group(1) + "\"";
        }
      }
      link.appendReplacement(fixed, Matcher.quoteReplacement(replacement));
    }
    link.appendTail(fixed);
    Files.writeString(constants, fixed.toString());
  }

  /** The library modules of the reactor that the BOM publishes, in the reactor's order. */
  static List<Module> modules(Path repository) throws IOException {
    TreeSet<String> published = new TreeSet<>();
    Matcher bom = ARTIFACT.matcher(Files.readString(repository.resolve("bom/pom.xml")));
    while (bom.find()) {
      published.add(bom.group(1));
    }
    published.remove("brownout-bom");
    List<Module> modules = new ArrayList<>();
    Matcher reactor = MODULE.matcher(Files.readString(repository.resolve("pom.xml")));
    while (reactor.find()) {
      Path dir = repository.resolve(reactor.group(1));
      String pom = Files.readString(dir.resolve("pom.xml"));
      String own = pom.substring(Math.max(pom.indexOf("</parent>"), 0));
      Matcher artifact = ARTIFACT.matcher(own);
      if (!artifact.find() || !published.contains(artifact.group(1))) {
        continue;
      }
      Path sources = dir.resolve("src/main/java");
      modules.add(new Module(artifact.group(1), sources, packages(sources)));
    }
    return modules;
  }

  private static List<String> packages(Path sources) throws IOException {
    Path descriptor = sources.resolve("module-info.java");
    if (Files.exists(descriptor)) {
      List<String> exported = new ArrayList<>();
      Matcher export =
          EXPORT.matcher(Files.readString(descriptor).replaceAll("(?s)/\\*.*?\\*/", ""));
      while (export.find()) {
        exported.add(export.group(1));
      }
      return exported;
    }
    Map<String, Boolean> found = new LinkedHashMap<>();
    try (Stream<Path> walk = Files.walk(sources)) {
      for (Path file :
          (Iterable<Path>) walk.filter(p -> p.toString().endsWith(".java"))::iterator) {
        Matcher pkg = PACKAGE.matcher(Files.readString(file));
        if (pkg.find() && !pkg.group(1).matches(".*\\binternal\\b.*")) {
          found.put(pkg.group(1), true);
        }
      }
    }
    return new ArrayList<>(new TreeSet<>(found.keySet()));
  }
}
