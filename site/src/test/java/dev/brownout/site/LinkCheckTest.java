package dev.brownout.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/**
 * Every link, image, stylesheet and script of the built site, Javadoc included, points at a file
 * that exists, and every {@code #anchor} at an id on that page. Links that leave the site are not
 * followed (the build has no network); a link to a file outside the site is broken.
 */
class LinkCheckTest {
  @Test
  void noBrokenInternalLinksOrAnchors() throws Exception {
    List<Path> pages = BuiltSite.allPages();
    Result result = check(BuiltSite.root(), pages);
    assertThat(result.broken())
        .as("broken links of %d checked in %d pages", result.checked(), pages.size())
        .isEmpty();
    assertThat(result.checked()).isGreaterThan(1000);
  }

  /** What a check found: the broken links, and how many links it followed. */
  record Result(List<String> broken, int checked) {}

  /** Checks every link of {@code pages}, which are under {@code root}. */
  static Result check(Path root, List<Path> pages) throws Exception {
    Map<Path, Document> parsed = new HashMap<>();
    Map<Path, Set<String>> anchors = new HashMap<>();
    for (Path page : pages) {
      Document document = Jsoup.parse(page.toFile(), "UTF-8");
      parsed.put(page, document);
      Set<String> ids = new HashSet<>();
      document.select("[id]").forEach(e -> ids.add(e.id()));
      document.select("a[name]").forEach(e -> ids.add(e.attr("name")));
      anchors.put(page, ids);
    }
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path page : pages) {
      for (Element element :
          parsed.get(page).select("a[href], link[href], img[src], script[src]")) {
        String target = element.hasAttr("href") ? element.attr("href") : element.attr("src");
        if (target.isEmpty() || target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
          continue; // http:, https:, mailto:, javascript: leave the site
        }
        checked++;
        String fragment = null;
        int hash = target.indexOf('#');
        if (hash >= 0) {
          fragment = URLDecoder.decode(target.substring(hash + 1), StandardCharsets.UTF_8);
          target = target.substring(0, hash);
        }
        int query = target.indexOf('?');
        if (query >= 0) {
          target = target.substring(0, query);
        }
        Path file =
            target.isEmpty()
                ? page
                : page.getParent()
                    .resolve(URLDecoder.decode(target, StandardCharsets.UTF_8))
                    .normalize();
        if (Files.isDirectory(file)) {
          file = file.resolve("index.html");
        }
        String where = root.relativize(page) + ": " + element.outerHtml().split(">")[0] + ">";
        if (!file.startsWith(root)) {
          broken.add(where + " leaves the site");
        } else if (!Files.exists(file)) {
          broken.add(where + " -> " + root.relativize(file) + " does not exist");
        } else if (fragment != null
            && !fragment.isEmpty()
            && anchors.containsKey(file)
            && !anchors.get(file).contains(fragment)) {
          broken.add(where + " -> no #" + fragment + " in " + root.relativize(file));
        }
      }
    }
    return new Result(broken, checked);
  }
}
