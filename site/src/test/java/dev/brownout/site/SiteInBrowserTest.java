package dev.brownout.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The built site as a reader's browser shows it, opened from disk as {@code file://} pages (the way
 * the README says to open it): every page of the site, and the Javadoc's front pages, load with no
 * console error or uncaught exception; on a phone's screen no page scrolls sideways (wide code and
 * tables scroll in their own box) and the menu opens; the search finds guide sections and Javadoc
 * types with no server. Screenshots of the home page, a guide and the benchmark page, wide and on a
 * phone, go to {@code target/screenshots}.
 */
class SiteInBrowserTest {
  static final Path SCREENSHOTS = Path.of("target/screenshots");

  @Test
  void everyPageOpensWithoutErrorsAndReadsOnAPhone() throws Exception {
    String executable = Chromium.require();
    Path root = BuiltSite.root();
    List<Path> pages = new ArrayList<>(BuiltSite.ownPages());
    pages.add(root.resolve("api/index.html"));
    pages.add(root.resolve("api/dev/brownout/flags/Flags.html"));
    pages.add(root.resolve("api/dev/brownout/flags/package-summary.html"));
    Map<String, List<String>> errors = new LinkedHashMap<>();
    List<String> sideways = new ArrayList<>();
    try (Chromium browser = new Chromium(executable)) {
      browser.viewport(1280, 900, false);
      for (Path page : pages) {
        List<String> found = browser.open(page.toUri());
        if (!found.isEmpty()) {
          errors.put(root.relativize(page).toString(), found);
        }
      }
      for (String shot : List.of("index", "getting-started", "benchmarks")) {
        browser.open(root.resolve(shot + ".html").toUri());
        browser.screenshot(SCREENSHOTS.resolve(shot + ".png"));
      }

      browser.viewport(390, 844, true);
      for (Path page : BuiltSite.ownPages()) {
        browser.open(page.toUri());
        Object overflow =
            browser.eval(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth");
        if (((Number) overflow).intValue() > 0) {
          sideways.add(root.relativize(page) + " (" + overflow + " px)");
        }
      }
      browser.open(root.resolve("getting-started.html").toUri());
      browser.screenshot(SCREENSHOTS.resolve("getting-started-phone.png"));
      assertThat(browser.eval("getComputedStyle(document.getElementById('nav')).display"))
          .as("the navigation folds away on a phone")
          .isEqualTo("none");
      browser.eval("document.querySelector('.menu').click(); true");
      assertThat(browser.eval("getComputedStyle(document.getElementById('nav')).display"))
          .as("and the menu button opens it")
          .isEqualTo("block");
      browser.screenshot(SCREENSHOTS.resolve("menu-phone.png"));
    }
    assertThat(errors).as("console errors, by page").isEmpty();
    assertThat(sideways).as("pages wider than a phone's screen").isEmpty();
    assertThat(SCREENSHOTS.resolve("benchmarks.png")).isNotEmptyFile();
  }

  @Test
  void theSearchWorksOfflineFromAnyPage() throws Exception {
    String executable = Chromium.require();
    URI page = BuiltSite.root().resolve("reference/metrics.html").toUri();
    try (Chromium browser = new Chromium(executable)) {
      browser.viewport(1280, 900, false);
      browser.open(page);
      Object guide = search(browser, "staged rollout");
      assertThat(guide).asString().contains("flags.html#");
      Object type = search(browser, "FlagContext");
      assertThat(type).asString().contains("api/dev/brownout/flags/FlagContext.html");
      browser.eval(
          "document.getElementById('search').form.dispatchEvent(new Event('submit', {cancelable:"
              + " true})); true");
      Thread.sleep(300);
      assertThat(browser.eval("location.href")).asString().endsWith("FlagContext.html");
      assertThat(browser.errors()).isEmpty();
      browser.open(page);
      assertThat(search(browser, "zzzqqqnothing")).isEqualTo("");
      assertThat(browser.eval("document.getElementById('search-results').textContent"))
          .isEqualTo("Nothing found.");
      browser.screenshot(SCREENSHOTS.resolve("search.png"));
    }
  }

  /** Types {@code query} into the search box; returns the results' links, one per line. */
  private static Object search(Chromium browser, String query) throws Exception {
    return browser.eval(
        "(() => { const input = document.getElementById('search'); input.value = '"
            + query
            + "'; input.dispatchEvent(new Event('input'));"
            + " return Array.from(document.querySelectorAll('#search-results a'))"
            + ".map(a => a.getAttribute('href')).join('\\n'); })()");
  }
}
