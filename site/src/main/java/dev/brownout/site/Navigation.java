package dev.brownout.site;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The site's table of contents, in reading order. A page being written elsewhere is listed as
 * optional: the navigation shows it once its file exists, and the build passes without it. A page
 * on disk that is not listed here is never hidden: the build lists it under {@link #MORE} and says
 * so.
 */
final class Navigation {
  private Navigation() {}

  /**
   * A link in the navigation: a page (its Markdown path, or an HTML path), its short label, and
   * whether the site is built without it while its file does not exist.
   */
  record Entry(String path, String label, boolean optional) {
    Entry(String path, String label) {
      this(path, label, false);
    }

    /** The path of the built page. */
    String html() {
      return path.endsWith(".md") ? path.substring(0, path.length() - 3) + ".html" : path;
    }
  }

  /** A group of links under a heading. */
  record Section(String title, List<Entry> entries) {}

  static final List<Section> SECTIONS =
      List.of(
          new Section(
              "Start",
              List.of(
                  new Entry("index.md", "Home"),
                  new Entry("getting-started.md", "Getting started"),
                  new Entry("spring-boot.md", "Spring Boot"))),
          new Section(
              "Guides",
              List.of(
                  new Entry("testing.md", "Testing your application"),
                  new Entry("operating.md", "Operating Brownout"),
                  new Entry("migrating.md", "Migrating to Brownout"))),
          new Section(
              "Modules",
              List.of(
                  new Entry("configuration.md", "Configuration"),
                  new Entry("admin-api.md", "Admin API"),
                  new Entry("method-guards.md", "Method guards"),
                  new Entry("state.md", "State stores"),
                  new Entry("flags.md", "Feature flags"),
                  new Entry("session.md", "Sessions"),
                  new Entry("degrade.md", "Browse-only and guarded calls"),
                  new Entry("overload.md", "Overload and fault injection", true))),
          new Section(
              "Reference",
              List.of(
                  new Entry("reference/configuration.md", "Configuration keys"),
                  new Entry("reference/metrics.md", "Metrics"),
                  new Entry("reference/admin-api.md", "Admin API routes"),
                  new Entry("benchmarks.md", "Benchmarks"),
                  new Entry("versions.md", "Versions and compatibility", true),
                  new Entry("api/index.html", "Javadoc"))));

  /** Every Markdown page in the navigation, optional ones included. */
  static List<String> markdownPages() {
    return SECTIONS.stream()
        .flatMap(section -> section.entries().stream())
        .map(Entry::path)
        .filter(path -> path.endsWith(".md"))
        .toList();
  }

  /** Whether {@code page} may be missing from the sources. */
  static boolean optional(String page) {
    return SECTIONS.stream()
        .flatMap(section -> section.entries().stream())
        .anyMatch(entry -> entry.path().equals(page) && entry.optional());
  }

  /** The heading under which pages missing from {@link #SECTIONS} are listed. */
  static final String MORE = "More pages";

  /**
   * The navigation of this build: the optional pages that {@code exists} does not know left out,
   * and the pages on disk that {@link #SECTIONS} does not list ({@code unlisted}, path to title)
   * added under {@link #MORE}.
   */
  static List<Section> present(Predicate<String> exists, Map<String, String> unlisted) {
    List<Section> sections = new ArrayList<>();
    for (Section section : SECTIONS) {
      sections.add(
          new Section(
              section.title(),
              section.entries().stream()
                  .filter(entry -> !entry.optional() || exists.test(entry.path()))
                  .toList()));
    }
    if (!unlisted.isEmpty()) {
      List<Entry> more = new ArrayList<>();
      unlisted.forEach((path, title) -> more.add(new Entry(path, title)));
      sections.add(new Section(MORE, more));
    }
    return sections;
  }
}
