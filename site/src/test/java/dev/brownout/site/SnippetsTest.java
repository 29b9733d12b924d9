package dev.brownout.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How regions are cut from a source: pieces, nesting, the imports shown, and bad markers. */
class SnippetsTest {
  @TempDir Path sources;

  @Test
  void aRegionIsShownWithTheImportsItUsesGroupedAsTheFormatterGroupsThem() throws Exception {
    write(
        "Example.java",
        """
        package example;

        import static org.assertj.core.api.Assertions.assertThat;

        import java.time.Duration;
        import java.util.List;
        import java.util.Map;

        class Example {
          void run() {
            @tag::outer[]
            List<String> names = List.of("a");
            @tag::inner[]
            assertThat(names).hasSize(1);
            @end::inner[]
            @end::outer[]
            Map<String, Duration> hidden = Map.of();
            @tag::outer[]
            names.forEach(System.out::println);
            @end::outer[]
          }
        }
        """);
    Snippets snippets = Snippets.load(sources);

    assertThat(snippets.find("Example#outer").orElseThrow().text())
        .isEqualTo(
            """
            import static org.assertj.core.api.Assertions.assertThat;

            import java.util.List;

            List<String> names = List.of("a");
            assertThat(names).hasSize(1);
            names.forEach(System.out::println);
            """);
    assertThat(snippets.find("Example#inner").orElseThrow().code())
        .isEqualTo("assertThat(names).hasSize(1);\n");
    assertThat(snippets.find("Example#nowhere")).isEmpty();
  }

  @Test
  void aResourceIsAskedForByItsFileName() throws Exception {
    write("application.yml", "a: 1\n# tag::b[]\nb:\n  c: 2\n# end::b[]\n");
    assertThat(Snippets.load(sources).find("application.yml#b").orElseThrow().text())
        .isEqualTo("b:\n  c: 2\n");
  }

  @Test
  void everyMarkerProblemIsNamedAtOnce() throws Exception {
    write(
        "Broken.java",
        "class Broken {\n// tag::open[]\n// end::stray[]\n// tag::twice[]\n// tag::twice[]\n"
            + "// end::twice[]\n}\n");
    assertThatThrownBy(() -> Snippets.load(sources))
        .hasMessageContaining("4 snippet marker problems")
        .hasMessageContaining("Broken:3 ends 'stray', never opened")
        .hasMessageContaining("Broken:5 opens 'twice' twice")
        .hasMessageContaining("Broken: 'open' is never ended");
  }

  /**
   * Writes a source, its {@code @tag::}/{@code @end::} turned into markers here, so that this
   * file's own text holds no marker the site would cut.
   */
  private void write(String name, String text) throws Exception {
    Files.writeString(
        sources.resolve(name), text.replace("@tag::", "// tag::").replace("@end::", "// end::"));
  }
}
