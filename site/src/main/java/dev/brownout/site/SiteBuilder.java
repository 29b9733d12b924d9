package dev.brownout.site;

import dev.brownout.core.json.JsonCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Builds the static HTML site from the Markdown pages that {@link ReferenceGenerator} assembled:
 * renders each page (with its Java snippets cut from the tests), adds the navigation and the
 * offline search, runs the aggregated Javadoc, and writes it all to one folder that opens from
 * disk.
 */
public final class SiteBuilder {
  private static final List<String> ASSETS = List.of("site.css", "site.js");

  private final Path docs;
  private final Path out;
  private final Snippets snippets;

  private SiteBuilder(Path docs, Path out, Snippets snippets) {
    this.docs = docs;
    this.out = out;
    this.snippets = snippets;
  }

  /**
   * {@code SiteBuilder <pages dir> <output dir> <snippet sources> <repository root> <class path
   * file>}: the class path file lists what the Javadoc resolves against. The system property {@code
   * brownout.site.javadoc=false} skips the Javadoc, for a quicker look at the pages.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 5) {
      throw new IllegalArgumentException(
          "usage: SiteBuilder <pages dir> <output dir> <snippet sources> <repository root>"
              + " <class path file>");
    }
    long started = System.nanoTime();
    Path out = Path.of(args[1]);
    Report report = build(Path.of(args[0]), out, Path.of(args[2]));
    if (!"false".equals(System.getProperty("brownout.site.javadoc"))) {
      Path repository = Path.of(args[3]).toAbsolutePath().normalize();
      String classPath = Files.readString(Path.of(args[4])).trim();
      Javadoc.write(
          repository, classPath, out.resolve("api"), out.getParent().resolve("javadoc-src"));
      System.out.printf("Site: Javadoc of %d types%n", SearchIndex.addJavadoc(out));
    }
    System.out.printf(
        "Site: %d pages, %d snippets from compiled tests, built in %.1f s into %s%n",
        report.pages(), report.snippets(), (System.nanoTime() - started) / 1e9, out);
    report
        .inlineJava()
        .forEach(
            (page, count) ->
                System.out.printf(
                    "Site: %s still shows %d Java block(s) not taken from compiled code%n",
                    page, count));
  }

  /** What a build made. */
  record Report(int pages, int snippets, Map<String, Integer> inlineJava) {}

  /** Renders every page of {@code docs} into {@code out} (no Javadoc). */
  static Report build(Path docs, Path out, Path snippetSources) throws IOException {
    SiteBuilder builder = new SiteBuilder(docs, out, Snippets.load(snippetSources));
    return builder.run();
  }

  private Report run() throws IOException {
    delete(out);
    Files.createDirectories(out.resolve("assets"));
    List<String> problems = new ArrayList<>();
    // Pages someone added without listing them are built and shown under "More pages", never
    // hidden and never a failed build: other work adds pages while this module's list lags.
    List<String> unlisted =
        markdownFiles().stream()
            .filter(page -> !Navigation.markdownPages().contains(page))
            .toList();
    List<PageRenderer.Rendered> pages = new ArrayList<>();
    PageRenderer renderer = new PageRenderer(snippets);
    Map<String, Integer> inlineJava = new TreeMap<>();
    int snippetCount = 0;
    List<String> toRender = new ArrayList<>(Navigation.markdownPages());
    toRender.addAll(unlisted);
    Map<String, String> unlistedTitles = new LinkedHashMap<>();
    for (String page : toRender) {
      Path source = docs.resolve(page);
      if (!Files.exists(source)) {
        if (!Navigation.optional(page)) {
          problems.add(page + " is in the navigation but " + source + " does not exist");
        }
        continue;
      }
      PageRenderer.Rendered rendered = renderer.render(page, Files.readString(source), problems);
      pages.add(rendered);
      snippetCount += rendered.snippets();
      if (rendered.inlineJava() > 0) {
        inlineJava.put(page, rendered.inlineJava());
      }
      if (unlisted.contains(page)) {
        unlistedTitles.put(page, rendered.title());
        System.out.printf(
            "Site: %s is not in Navigation.SECTIONS; it is listed under \"%s\"%n",
            page, Navigation.MORE);
      }
    }
    List<Navigation.Section> navigation =
        Navigation.present(page -> Files.exists(docs.resolve(page)), unlistedTitles);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          problems.size()
              + " problems in the site's pages:\n  - "
              + String.join("\n  - ", problems));
    }
    copyOtherFiles();
    for (String asset : ASSETS) {
      try (InputStream in =
          Objects.requireNonNull(
              SiteBuilder.class.getResourceAsStream("assets/" + asset), "asset " + asset)) {
        Files.copy(in, out.resolve("assets").resolve(asset), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    for (PageRenderer.Rendered page : pages) {
      Path target = out.resolve(page.htmlPath());
      Files.createDirectories(target.getParent());
      Files.writeString(target, Layout.page(page, navigation), StandardCharsets.UTF_8);
    }
    SearchIndex.write(out, pages);
    return new Report(pages.size(), snippetCount, inlineJava);
  }

  private List<String> markdownFiles() throws IOException {
    try (Stream<Path> walk = Files.walk(docs)) {
      return walk.filter(p -> p.toString().endsWith(".md"))
          .map(p -> docs.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    }
  }

  private void copyOtherFiles() throws IOException {
    try (Stream<Path> walk = Files.walk(docs)) {
      for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        if (file.toString().endsWith(".md")) {
          continue;
        }
        Path target = out.resolve(docs.relativize(file).toString());
        Files.createDirectories(target.getParent());
        Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** JSON for a script file, shared by the search index writers. */
  static String json(Object value) {
    return JsonCodec.standard().encodeToString(value);
  }

  /** An ordered map, for JSON objects whose member order a reader sees. */
  static Map<String, Object> object(Object... namesAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return map;
  }
}
