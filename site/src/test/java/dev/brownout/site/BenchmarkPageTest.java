package dev.brownout.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark page from results files: peers side by side, runs in progress, bad files. */
class BenchmarkPageTest {
  @TempDir Path work;

  static String run(String benchmark, String library, double score, double allocation) {
    return "{\"benchmark\": \"dev.brownout.benchmarks."
        + benchmark
        + "\", \"mode\": \"avgt\", \"threads\": 1, \"params\": {\"library\": \""
        + library
        + "\", \"size\": \"10\"}, \"primaryMetric\": {\"score\": "
        + score
        + ", \"scoreError\": 0.5, \"scoreUnit\": \"ns/op\"}, \"secondaryMetrics\":"
        + " {\"gc.alloc.rate.norm\": {\"score\": "
        + allocation
        + "}}}";
  }

  @Test
  void peersOfOneBenchmarkShareAChartAndEveryRunIsInTheTable() throws Exception {
    Path results = Files.createDirectories(work.resolve("results"));
    Files.writeString(
        results.resolve("flags.json"),
        "["
            + run("FlagBenchmark.evaluate", "brownout", 22.9, 0)
            + ","
            + run("FlagBenchmark.evaluate", "togglz", 78.9, 287)
            + "]");
    Files.writeString(results.resolve("running.json"), ""); // a run still going
    Path page = work.resolve("docs/benchmarks.md");

    BenchmarkPage.write(results, page);

    String markdown = Files.readString(page);
    assertThat(markdown)
        .contains("## flags", "](benchmarks/flags-1.svg)")
        .contains("| `FlagBenchmark.evaluate` | library=brownout, size=10 | 1 | 22.90 | ± 0.500")
        .doesNotContain("running");
    assertThat(Files.readString(work.resolve("docs/benchmarks/flags-1.svg")))
        .contains(
            "FlagBenchmark.evaluate · size=10",
            "lower is better",
            ">brownout</text>",
            ">togglz</text>",
            "class=\"b\"",
            "class=\"p\"")
        .doesNotContain("logarithmic");
  }

  @Test
  void valuesSpanningOrdersOfMagnitudeAreDrawnOnALogarithmicScale() {
    BenchmarkCharts.Chart chart =
        new BenchmarkCharts.Chart(
            "Evaluate",
            "ns/op",
            false,
            java.util.List.of(
                new BenchmarkCharts.Bar("brownout", 20, Double.NaN),
                new BenchmarkCharts.Bar("unleash", 6600, Double.NaN)));
    assertThat(chart.logarithmic()).isTrue();
    assertThat(BenchmarkCharts.svg(chart)).contains("logarithmic scale", "6,600");
  }

  @Test
  void aFileThatIsNotResultsIsNamed() throws Exception {
    Path results = Files.createDirectories(work.resolve("results"));
    Files.writeString(results.resolve("notes.json"), "{\"not\": \"an array\"}");
    assertThatThrownBy(() -> BenchmarkPage.write(results, work.resolve("benchmarks.md")))
        .hasMessageContaining("notes.json is not a benchmark results file");
  }
}
