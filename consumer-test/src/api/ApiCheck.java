import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.spi.ToolProvider;

/**
 * Checks Brownout's public API against the recorded one, until a release exists to compare with.
 *
 * <p>For every Brownout jar on the class path it records what a user can reach: the packages the
 * module exports to everyone (for a jar without a module descriptor, every package outside {@code
 * .internal}), and every public type and public or protected member in them, as {@code javap
 * -public} prints them. The build fails when that differs from {@code api/<artifact>.api}, listing
 * what was added and removed, so a type made public by accident, an internal package exported or a
 * removed method is seen in review instead of after a release. It also fails when a public
 * signature names a type from an {@code .internal} package.
 *
 * <p>Run by the consumer-test module: {@code java ApiCheck.java <api dir> <update> <class path>}.
 * With update {@code true} it records the API instead of checking it.
 */
public final class ApiCheck {
  private static final String UPDATE_COMMAND =
      "./mvnw -o package -DskipTests -Dinvoker.skip -Dapi.update=true\n"
          + "  (or -pl <changed modules>,consumer-test when the others are installed)";

  public static void main(String[] args) throws IOException {
    Path recorded = Path.of(args[0]);
    boolean update = Boolean.parseBoolean(args[1]);
    Map<String, Set<String>> actual = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (String entry : args[2].split(java.io.File.pathSeparator)) {
      Path jar = Path.of(entry);
      if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
        continue;
      }
      String artifact = brownoutArtifact(jar);
      if (artifact != null) {
        actual.put(artifact, api(jar, artifact, problems));
      }
    }
    if (actual.isEmpty()) {
      problems.add("no Brownout jar on the class path: " + args[2]);
    }

    if (update) {
      Files.createDirectories(recorded);
      for (Map.Entry<String, Set<String>> api : actual.entrySet()) {
        Files.write(recorded.resolve(api.getKey() + ".api"), api.getValue());
      }
      System.out.println("api-check: recorded the API of " + actual.keySet() + " in " + recorded);
    } else {
      for (Map.Entry<String, Set<String>> api : actual.entrySet()) {
        Path file = recorded.resolve(api.getKey() + ".api");
        if (!Files.exists(file)) {
          problems.add(api.getKey() + ": no recorded API in " + file);
          continue;
        }
        Set<String> before = new TreeSet<>(Files.readAllLines(file));
        Set<String> removed = new TreeSet<>(before);
        removed.removeAll(api.getValue());
        Set<String> added = new TreeSet<>(api.getValue());
        added.removeAll(before);
        if (!removed.isEmpty() || !added.isEmpty()) {
          StringBuilder change = new StringBuilder(api.getKey() + ": the public API changed");
          removed.stream().limit(40).forEach(line -> change.append("\n    - ").append(line));
          added.stream().limit(40).forEach(line -> change.append("\n    + ").append(line));
          if (removed.size() > 40 || added.size() > 40) {
            change.append("\n    (").append(removed.size()).append(" removed, ");
            change.append(added.size()).append(" added in all)");
          }
          problems.add(change.toString());
        }
      }
      try (var files = Files.list(recorded)) {
        files
            .map(file -> file.getFileName().toString())
            .filter(name -> name.endsWith(".api"))
            .map(name -> name.substring(0, name.length() - ".api".length()))
            .filter(artifact -> !actual.containsKey(artifact))
            .forEach(artifact -> problems.add(artifact + ": recorded, but not on the class path"));
      }
    }

    if (!problems.isEmpty()) {
      System.err.println("api-check: " + problems.size() + " problem(s)");
      problems.forEach(problem -> System.err.println("  " + problem));
      System.err.println(
          "If the change is intended (see site/src/docs/versions.md for what a release may change),"
              + " record it and commit the .api file with the change:\n  "
              + UPDATE_COMMAND);
      System.exit(1);
    }
    if (!update) {
      System.out.println("api-check: the public API of " + actual.keySet() + " is as recorded");
    }
  }

  /** The artifactId of a Brownout jar, from the pom.properties Maven puts in it; else null. */
  private static String brownoutArtifact(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream()
          .map(JarEntry::getName)
          .filter(name -> name.startsWith("META-INF/maven/dev.brownout/"))
          .filter(name -> name.endsWith("/pom.properties"))
          .map(name -> name.split("/")[3])
          .findFirst()
          .orElse(null);
    }
  }

  /** One line per exported package, public type and public or protected member, sorted. */
  private static Set<String> api(Path jar, String artifact, List<String> problems)
      throws IOException {
    ModuleReference module = ModuleFinder.of(jar).findAll().iterator().next();
    ModuleDescriptor descriptor = module.descriptor();
    Set<String> lines = new TreeSet<>();
    Set<String> exported = new TreeSet<>();
    if (descriptor.isAutomatic()) {
      for (String pkg : descriptor.packages()) {
        if (!isInternal(pkg)) {
          exported.add(pkg);
        }
      }
      lines.add("(no module descriptor: every package outside .internal is API)");
    } else {
      for (ModuleDescriptor.Exports export : descriptor.exports()) {
        if (!export.isQualified()) {
          exported.add(export.source());
        }
      }
      lines.add("module " + descriptor.name());
    }
    for (String pkg : exported) {
      lines.add("exports " + pkg);
      if (isInternal(pkg)) {
        problems.add(artifact + ": exports the internal package " + pkg + " to everyone");
      }
    }

    List<String> classes = new ArrayList<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      file.stream()
          .map(JarEntry::getName)
          .filter(name -> name.endsWith(".class") && !name.startsWith("META-INF/"))
          .filter(
              name -> !name.endsWith("module-info.class") && !name.endsWith("package-info.class"))
          .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
          .filter(name -> exported.contains(name.substring(0, name.lastIndexOf('.'))))
          .sorted()
          .forEach(classes::add);
    }
    if (classes.isEmpty()) {
      return lines;
    }

    List<String> javapArgs = new ArrayList<>(List.of("-public", "-cp", jar.toString()));
    javapArgs.addAll(classes);
    StringWriter out = new StringWriter();
    int exit =
        ToolProvider.findFirst("javap")
            .orElseThrow()
            .run(new PrintWriter(out), new PrintWriter(out), javapArgs.toArray(String[]::new));
    if (exit != 0) {
      throw new IllegalStateException("javap failed on " + jar + ":\n" + out);
    }

    // Blocks of "header {", members, "}"; a type is API if it and every type enclosing it is
    // public.
    Map<String, List<String>> members = new TreeMap<>();
    Map<String, String> headers = new HashMap<>();
    String current = null;
    for (String line : out.toString().split("\\R")) {
      if (line.startsWith("Compiled from") || line.isBlank()) {
        continue;
      }
      if (!line.startsWith(" ") && line.endsWith("{")) {
        String header = line.substring(0, line.length() - 1).trim();
        current = typeName(header);
        headers.put(current, header);
        members.put(current, new ArrayList<>());
      } else if (line.equals("}")) {
        current = null;
      } else if (current != null) {
        members.get(current).add(line.trim());
      }
    }
    for (Map.Entry<String, List<String>> type : members.entrySet()) {
      if (!isReachable(type.getKey(), headers)) {
        continue;
      }
      lines.add(type.getKey() + ": " + headers.get(type.getKey()));
      for (String member : type.getValue()) {
        lines.add(type.getKey() + ": " + member);
      }
    }
    for (String line : lines) {
      if (line.matches(".*\\bdev\\.brownout\\.[\\w.]*\\.internal\\..*")) {
        problems.add(artifact + ": a public signature names an internal type: " + line);
      }
    }
    return Collections.unmodifiableSet(lines);
  }

  private static boolean isReachable(String type, Map<String, String> headers) {
    for (String outer = type; ; outer = outer.substring(0, outer.lastIndexOf('$'))) {
      String header = headers.get(outer);
      if (header == null || !header.startsWith("public ")) {
        return false;
      }
      if (outer.indexOf('$') < 0) {
        return true;
      }
    }
  }

  private static String typeName(String header) {
    String[] words = header.split(" ");
    for (int i = 0; i < words.length - 1; i++) {
      if (words[i].equals("class") || words[i].equals("interface")) {
        String name = words[i + 1];
        int generics = name.indexOf('<');
        return generics < 0 ? name : name.substring(0, generics);
      }
    }
    throw new IllegalStateException("no type name in javap header: " + header);
  }

  private static boolean isInternal(String pkg) {
    return pkg.endsWith(".internal") || pkg.contains(".internal.");
  }
}
