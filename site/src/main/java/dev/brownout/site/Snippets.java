package dev.brownout.site;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Java snippets the guides show, cut from test sources that compile and run in the build.
 *
 * <p>A test marks a region with {@code // tag::name[]} and {@code // end::name[]}; a page asks for
 * it with an empty fenced block whose info string is {@code java snippet=ClassName#name}. The
 * snippet is shown with the imports its code uses (taken from the test's own import list) and
 * without the marker lines of regions nested inside it. Test resources the tests load (a {@code
 * brownout.properties}, an {@code application.yml}) mark regions with {@code # tag::name[]} and are
 * asked for by file name: {@code properties snippet=brownout.properties#name}. A region may be cut
 * into pieces: every {@code tag::name[]} … {@code end::name[]} pair with the same name in one file
 * is joined, in order.
 */
final class Snippets {
  private static final Pattern START =
      Pattern.compile("^\\s*(?://|#|<!--) tag::([a-z0-9-]+)\\[](?: -->)?\\s*$");
  private static final Pattern END =
      Pattern.compile("^\\s*(?://|#|<!--) end::([a-z0-9-]+)\\[](?: -->)?\\s*$");
  private static final List<String> TYPES = List.of(".java", ".properties", ".yml", ".xml");
  private static final Pattern IMPORT =
      Pattern.compile("^import (static )?([a-zA-Z0-9_.]+)\\.([A-Za-z0-9_]+|\\*);\\s*$");

  /** One region of one source file. */
  record Snippet(String file, String name, List<String> imports, String code) {
    /**
     * The code as a page shows it: its static imports, its other imports, each group followed by a
     * blank line (as google-java-format groups them), then the code.
     */
    String text() {
      StringBuilder text = new StringBuilder();
      for (boolean statics : new boolean[] {true, false}) {
        List<String> group =
            imports.stream().filter(line -> line.startsWith("import static ") == statics).toList();
        if (!group.isEmpty()) {
          text.append(String.join("\n", group)).append("\n\n");
        }
      }
      return text.append(code).toString();
    }
  }

  private final Map<String, Snippet> byId;

  private Snippets(Map<String, Snippet> byId) {
    this.byId = byId;
  }

  /**
   * Reads every source and resource file under {@code root}; an unclosed or stray marker is an
   * error.
   */
  static Snippets load(Path root) throws IOException {
    Map<String, Snippet> snippets = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.exists(root) ? Files.walk(root) : Stream.empty()) {
      files =
          walk.filter(p -> TYPES.stream().anyMatch(type -> p.toString().endsWith(type)))
              .sorted()
              .toList();
    }
    for (Path file : files) {
      String name = file.getFileName().toString();
      String id = name.endsWith(".java") ? name.replace(".java", "") : name;
      readFile(id, Files.readAllLines(file), snippets, problems);
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          problems.size() + " snippet marker problems:\n  - " + String.join("\n  - ", problems));
    }
    return new Snippets(snippets);
  }

  private static void readFile(
      String className, List<String> lines, Map<String, Snippet> into, List<String> problems) {
    List<String> imports = new ArrayList<>();
    Map<String, List<String>> bodies = new LinkedHashMap<>();
    List<String> open = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher start = START.matcher(line);
      Matcher end = END.matcher(line);
      if (IMPORT.matcher(line).matches()) {
        imports.add(line.trim());
      } else if (start.matches()) {
        if (open.contains(start.group(1))) {
          problems.add(className + ":" + (i + 1) + " opens '" + start.group(1) + "' twice");
        }
        open.add(start.group(1));
        bodies.computeIfAbsent(start.group(1), k -> new ArrayList<>());
      } else if (end.matches()) {
        if (!open.remove(end.group(1))) {
          problems.add(className + ":" + (i + 1) + " ends '" + end.group(1) + "', never opened");
        }
      } else {
        for (String name : open) {
          bodies.get(name).add(line);
        }
      }
    }
    for (String name : open) {
      problems.add(className + ": '" + name + "' is never ended");
    }
    for (Map.Entry<String, List<String>> body : bodies.entrySet()) {
      String code = dedent(body.getValue());
      String id = className + "#" + body.getKey();
      if (into.containsKey(id)) {
        problems.add(id + " is defined in two files");
      }
      into.put(id, new Snippet(className, body.getKey(), usedImports(imports, code), code));
    }
  }

  /** The snippet {@code Class#name}, if some test defines it. */
  Optional<Snippet> find(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Every snippet, by id. */
  Map<String, Snippet> all() {
    return byId;
  }

  /** The imports whose simple name (or, for a static import, member) the code mentions. */
  static List<String> usedImports(List<String> imports, String code) {
    List<String> used = new ArrayList<>();
    for (String line : imports) {
      Matcher matcher = IMPORT.matcher(line);
      if (!matcher.matches()) {
        continue;
      }
      String name = matcher.group(3);
      if (name.equals("*")
          || Pattern.compile("(?<![\\w.])" + Pattern.quote(name) + "\\b").matcher(code).find()) {
        used.add(line);
      }
    }
    return used;
  }

  private static String dedent(List<String> lines) {
    int indent = Integer.MAX_VALUE;
    for (String line : lines) {
      if (!line.isBlank()) {
        indent = Math.min(indent, line.length() - line.stripLeading().length());
      }
    }
    int cut = indent == Integer.MAX_VALUE ? 0 : indent;
    StringBuilder text = new StringBuilder();
    for (String line : lines) {
      text.append(line.isBlank() ? "" : line.substring(cut)).append('\n');
    }
    return text.toString().replaceFirst("^\\n+", "").stripTrailing() + "\n";
  }
}
