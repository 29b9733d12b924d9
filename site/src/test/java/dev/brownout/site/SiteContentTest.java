package dev.brownout.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the pages are made of: snippets from the tests, the references, Javadoc and charts. */
class SiteContentTest {
  static final Pattern FENCE = Pattern.compile("(?m)^```(\\S*)(.*)$");

  @Test
  void everyJavaBlockIsTakenFromATestThatCompilesAndRuns() throws Exception {
    Map<String, Integer> inline = new TreeMap<>();
    for (String page : Navigation.markdownPages()) {
      Path source = Path.of("src/docs").resolve(page);
      if (!Files.exists(source)) {
        continue; // generated pages
      }
      Matcher fence = FENCE.matcher(Files.readString(source));
      boolean open = false;
      while (fence.find()) {
        if (!open && fence.group(1).equals("java") && !fence.group(2).contains("snippet=")) {
          inline.merge(page, 1, Integer::sum);
        }
        open = !open;
      }
    }
    // Optional pages are written outside this module, with no test here to cut from: the build
    // reports their Java blocks ("still shows N Java block(s)") instead of failing.
    inline.keySet().removeIf(Navigation::optional);
    assertThat(inline).as("Java blocks written into the page instead of cut from a test").isEmpty();
  }

  @Test
  void everyMarkedRegionIsShownSomewhereAndEveryRequestIsFilled() throws Exception {
    Snippets snippets = Snippets.load(Path.of("src/test"));
    StringBuilder pages = new StringBuilder();
    for (String page : Navigation.markdownPages()) {
      Path source = Path.of("src/docs").resolve(page);
      if (Files.exists(source)) {
        pages.append(Files.readString(source));
      }
    }
    List<String> unused = new ArrayList<>();
    for (String id : snippets.all().keySet()) {
      if (!pages.toString().contains("snippet=" + id)) {
        unused.add(id);
      }
    }
    assertThat(unused).as("tagged regions no page shows").isEmpty();
    String built = Files.readString(BuiltSite.root().resolve("getting-started.html"));
    assertThat(built)
        .as("a snippet is shown with its imports")
        .contains("import dev.brownout.flags.Flags;")
        .contains("Flags.builder(store)")
        .doesNotContain("tag::");
  }

  @Test
  void theReferencesJavadocAndChartsAreInTheSite() throws Exception {
    Path root = BuiltSite.root();
    assertThat(Files.readString(root.resolve("reference/configuration.html")))
        .contains("brownout.flags.refresh-interval", "brownout.session.max-inactive");
    assertThat(Files.readString(root.resolve("reference/metrics.html")))
        .contains("brownout.feature_flag.evaluations");
    assertThat(Files.readString(root.resolve("reference/admin-api.html")))
        .contains("/api/v1/flags/{key}", "/api/v1/read-mode", "precondition-failed");
    for (String type :
        List.of(
            "dev/brownout/flags/Flags.html",
            "dev/brownout/state/StateStore.html",
            "dev/brownout/session/Sessions.html",
            "dev/brownout/degrade/Resilience.html",
            "dev/brownout/admin/AdminServer.html",
            "dev/brownout/state/redis/RedisStateStore.html",
            "dev/brownout/state/testservers/FaultProxy.html",
            "dev/brownout/spring/BrownoutAutoConfiguration.html")) {
      assertThat(root.resolve("api").resolve(type)).as("Javadoc of " + type).exists();
    }
    assertThat(root.resolve("api/dev/brownout/core/internal"))
        .as("internal packages")
        .doesNotExist();
    String benchmarks = Files.readString(root.resolve("benchmarks.html"));
    assertThat(benchmarks).contains("<img src=\"benchmarks/flags-1.svg\"");
    assertThat(Files.readString(root.resolve("benchmarks/flags-1.svg")))
        .contains("<svg", "brownout", "unleash", "togglz", "ff4j");
    assertThat(Files.readString(root.resolve("assets/search-index.js")))
        .contains("\"t\":\"Getting started\"", "\"t\":\"FlagContext\"");
  }
}
