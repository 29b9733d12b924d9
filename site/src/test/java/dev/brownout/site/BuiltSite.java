package dev.brownout.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The site this build wrote into {@code target/site} before the tests ran. */
final class BuiltSite {
  static final Path ROOT = Path.of("target/site").toAbsolutePath();

  private BuiltSite() {}

  static Path root() {
    assertThat(ROOT.resolve("index.html"))
        .as("the site is built in process-test-classes: run ./mvnw -pl site -am verify")
        .exists();
    return ROOT;
  }

  /** Every HTML file, the Javadoc's included. */
  static List<Path> allPages() throws IOException {
    try (Stream<Path> walk = Files.walk(root())) {
      return walk.filter(p -> p.toString().endsWith(".html")).sorted().toList();
    }
  }

  /** The site's own pages: every page but the Javadoc's. */
  static List<Path> ownPages() throws IOException {
    return allPages().stream().filter(p -> !p.startsWith(ROOT.resolve("api"))).toList();
  }
}
