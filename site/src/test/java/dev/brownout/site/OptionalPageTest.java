package dev.brownout.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A page written elsewhere ({@code overload.md}) is in the navigation once its file exists, and the
 * site builds, with no broken link, with and without it, so the page can land before or after the
 * site does.
 */
class OptionalPageTest {
  static final String PAGE = "overload.md";

  @TempDir Path work;

  @Test
  void theSiteBuildsWithoutTheOptionalPageAndLinksNothingToIt() throws Exception {
    Path site = build(false);
    assertThat(site.resolve("overload.html")).doesNotExist();
    assertThat(Files.readString(site.resolve("index.html"))).doesNotContain("overload.html");
    assertNoBrokenLinks(site);
  }

  @Test
  void onceTheOptionalPageExistsEveryPageLinksIt() throws Exception {
    Path site = build(true);
    assertThat(site.resolve("overload.html")).exists();
    assertThat(Files.readString(site.resolve("reference/metrics.html")))
        .contains("href=\"../overload.html\"");
    assertThat(Files.readString(site.resolve("overload.html")))
        .contains("aria-current=\"page\"", "<h1 id=\"overload-and-fault-injection\"");
    assertNoBrokenLinks(site);
  }

  @Test
  void aPageNobodyListedIsBuiltAndListedUnderMorePages() throws Exception {
    Path site = build(false, "notes.md");
    assertThat(site.resolve("notes.html")).exists();
    assertThat(Files.readString(site.resolve("index.html")))
        .contains("<h2>" + Navigation.MORE + "</h2>", "href=\"notes.html\">Release notes</a>");
    assertNoBrokenLinks(site);
  }

  private Path build(boolean withPage) throws Exception {
    return build(withPage, null);
  }

  /**
   * Builds the pages (no Javadoc) from a copy of this build's Markdown, with or without the page,
   * and with a page the navigation does not list if {@code unlisted} names one.
   */
  private Path build(boolean withPage, String unlisted) throws Exception {
    BuiltSite.root();
    Path docs = work.resolve("docs");
    Path generated = Path.of("target/docs");
    try (Stream<Path> files = Files.walk(generated)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path copy = docs.resolve(generated.relativize(file).toString());
        Files.createDirectories(copy.getParent());
        Files.copy(file, copy);
      }
    }
    Files.deleteIfExists(docs.resolve(PAGE));
    if (withPage) {
      Files.writeString(
          docs.resolve(PAGE),
          "# Overload and fault injection\n\n"
              + "Shedding comes after [browse-only mode](degrade.md), and its meters are in the"
              + " [metrics reference](reference/metrics.md).\n\n## Limits\n\nText.\n");
    }
    if (unlisted != null) {
      Files.writeString(
          docs.resolve(unlisted), "# Release notes\n\nSee [the home page](index.md).\n");
    }
    if (unlisted != null) {
      Files.writeString(
          docs.resolve(unlisted), "# Release notes\n\nSee [the home page](index.md).\n");
    }
    Path site = work.resolve("site");
    SiteBuilder.build(docs, site, Path.of("src/test"));
    // The Javadoc is not built here: link to this build's.
    Files.createSymbolicLink(site.resolve("api"), BuiltSite.root().resolve("api"));
    return site;
  }

  private static void assertNoBrokenLinks(Path site) throws Exception {
    List<Path> pages;
    try (Stream<Path> walk = Files.walk(site)) {
      pages = walk.filter(p -> p.toString().endsWith(".html")).sorted().toList();
    }
    assertThat(LinkCheckTest.check(site, pages).broken()).isEmpty();
  }
}
