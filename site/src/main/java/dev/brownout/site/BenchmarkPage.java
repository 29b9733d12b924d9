package dev.brownout.site;

import dev.brownout.core.json.JsonCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Draws the committed JMH results ({@code benchmarks/results/*.json}) as the site's benchmark page:
 * for each results file, bar charts with Brownout and its peers side by side ({@link
 * BenchmarkCharts}, written as SVG files beside the page), then the table of every figure: time and
 * allocation per operation for each benchmark and parameter.
 */
final class BenchmarkPage {
  private BenchmarkPage() {}

  @SuppressWarnings("unchecked")
  static void write(Path results, Path page) throws IOException {
    StringBuilder text =
        new StringBuilder(
            "<!-- Generated from benchmarks/results by BenchmarkPage; do not edit. -->\n\n"
                + "# Benchmarks\n\n"
                + "JMH results committed in `benchmarks/results/`, drawn here as they are. Each file comes"
                + " from one run on a 2-core machine, so compare rows of one table, not across tables. Run"
                + " them yourself with `benchmarks/run <regex> <name>` (see `benchmarks/README.md`).\n");
    Files.createDirectories(page.getParent());
    List<Path> files;
    try (Stream<Path> listing = Files.exists(results) ? Files.list(results) : Stream.empty()) {
      files = listing.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    for (Path file : files) {
      if (Files.size(file) == 0) {
        // JMH writes its file when the run ends: an empty one is a run still going.
        System.out.println(
            "Benchmarks: skipping " + file + ", which is empty (a run in progress?)");
        continue;
      }
      List<Map<String, Object>> runs = read(file);
      String name = file.getFileName().toString().replace(".json", "");
      text.append("\n## ").append(name).append("\n\n");
      List<BenchmarkCharts.Chart> charts;
      if (!runs.isEmpty() && runs.get(0).containsKey("sentPerRequest")) {
        charts =
            BenchmarkCharts.rows(
                runs, Map.of("allPerRequest", "Redis commands per request"), false);
      } else if (!runs.isEmpty() && runs.get(0).containsKey("clientCpuMicrosPerRequest")) {
        Map<String, String> metrics = new LinkedHashMap<>();
        metrics.put("clientCpuMicrosPerRequest", "Client CPU µs per request");
        metrics.put("redisCpuMicrosPerRequest", "Redis CPU µs per request");
        charts = BenchmarkCharts.rows(runs, metrics, false);
      } else {
        charts = BenchmarkCharts.jmh(runs);
      }
      for (int i = 0; i < charts.size(); i++) {
        String svg = "benchmarks/" + name + "-" + (i + 1) + ".svg";
        Files.createDirectories(page.resolveSibling(svg).getParent());
        Files.writeString(page.resolveSibling(svg), BenchmarkCharts.svg(charts.get(i)));
        text.append("![")
            .append(charts.get(i).summary().replace("[", "(").replace("]", ")"))
            .append("](")
            .append(svg)
            .append(")\n\n");
      }
      if (!runs.isEmpty() && runs.get(0).containsKey("sentPerRequest")) {
        commandCounts(runs, text);
        continue;
      }
      if (!runs.isEmpty() && runs.get(0).containsKey("clientCpuMicrosPerRequest")) {
        cpuCosts(runs, text);
        continue;
      }
      text.append(
          "| Benchmark | Parameters | Threads | Score | Error | Unit | Allocation (B/op) |\n"
              + "|---|---|---|---|---|---|---|\n");
      for (Map<String, Object> run : runs) {
        String benchmark = String.valueOf(run.get("benchmark"));
        benchmark =
            benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
        Map<String, Object> params = (Map<String, Object>) run.getOrDefault("params", Map.of());
        Map<String, Object> primary = (Map<String, Object>) run.get("primaryMetric");
        Map<String, Object> secondary =
            (Map<String, Object>) run.getOrDefault("secondaryMetrics", Map.of());
        Map<String, Object> allocation = (Map<String, Object>) secondary.get("gc.alloc.rate.norm");
        text.append("| `")
            .append(benchmark)
            .append("` | ")
            .append(
                params.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(", ")))
            .append(" | ")
            .append(run.getOrDefault("threads", ""))
            .append(" | ")
            .append(number(primary.get("score")))
            .append(" | ± ")
            .append(number(primary.get("scoreError")))
            .append(" | ")
            .append(primary.get("scoreUnit"))
            .append(" | ")
            .append(allocation == null ? "" : number(allocation.get("score")))
            .append(" |\n");
      }
    }
    Files.writeString(page, text.toString());
  }

  /** The rows of a results file: a JSON array of objects, as JMH and the counting tools write. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> read(Path file) throws IOException {
    List<Map<String, Object>> runs;
    try {
      runs = List.of(JsonCodec.standard().decode(Files.readAllBytes(file), Map[].class));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          file
              + " is not a benchmark results file (a JSON array of runs, as JMH's -rf json"
              + " writes): "
              + e.getMessage(),
          e);
    }
    for (Map<String, Object> run : runs) {
      boolean jmh = run.get("benchmark") != null && run.get("primaryMetric") instanceof Map;
      if (!jmh && run.get("library") == null) {
        throw new IllegalStateException(
            file
                + " has a row that is neither a JMH run (benchmark, primaryMetric) nor a row"
                + " with a library: "
                + run.keySet());
      }
    }
    return runs;
  }

  /** A column of a non-JMH results file: its header, its key, and whether it is code. */
  private record Column(String header, String key, boolean code) {
    static Column of(String header, String key) {
      return new Column(header, key, false);
    }
  }

  /** A file of Redis commands per request, as {@code SessionCommandCount} writes it. */
  private static void commandCounts(List<Map<String, Object>> rows, StringBuilder text) {
    table(
        rows,
        text,
        "Redis commands per request, counted by the server (`INFO commandstats`). \"Sent\" is what"
            + " the client sent; \"all\" also counts what a Lua script ran inside its one"
            + " `EVALSHA`.",
        List.of(
            Column.of("Library", "library"),
            Column.of("Workload", "workload"),
            Column.of("Sent", "sentPerRequest"),
            Column.of("All", "allPerRequest"),
            new Column("Commands", "commands", true)));
  }

  /** A file of CPU time per request, as {@code SessionCpuCost} writes it. */
  private static void cpuCosts(List<Map<String, Object>> rows, StringBuilder text) {
    table(
        rows,
        text,
        "CPU time one request costs the application server (the whole JVM: library, Lettuce,"
            + " Netty, kernel) and Redis (`INFO cpu`), over a timed run.",
        List.of(
            Column.of("Library", "library"),
            Column.of("Workload", "workload"),
            Column.of("Threads", "threads"),
            Column.of("Requests/s", "requestsPerSecond"),
            Column.of("Client CPU (µs/request)", "clientCpuMicrosPerRequest"),
            Column.of("Redis CPU (µs/request)", "redisCpuMicrosPerRequest")));
  }

  private static void table(
      List<Map<String, Object>> rows, StringBuilder text, String intro, List<Column> columns) {
    text.append(intro).append("\n\n|");
    columns.forEach(column -> text.append(' ').append(column.header()).append(" |"));
    text.append("\n|");
    columns.forEach(column -> text.append("---|"));
    text.append('\n');
    for (Map<String, Object> row : rows) {
      text.append('|');
      for (Column column : columns) {
        String value = number(row.get(column.key()));
        text.append(' ').append(column.code() ? "`" + value + "`" : value).append(" |");
      }
      text.append('\n');
    }
  }

  private static String number(Object value) {
    if (!(value instanceof Number number)) {
      return String.valueOf(value);
    }
    if (number instanceof Integer || number instanceof Long) {
      return number.toString();
    }
    double d = number.doubleValue();
    if (Double.isNaN(d)) {
      return "";
    }
    return Math.abs(d) >= 100
        ? String.format(Locale.ROOT, "%.0f", d)
        : Math.abs(d) >= 1
            ? String.format(Locale.ROOT, "%.2f", d)
            : String.format(Locale.ROOT, "%.3f", d);
  }
}
