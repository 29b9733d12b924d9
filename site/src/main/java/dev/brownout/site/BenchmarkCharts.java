package dev.brownout.site;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Bar charts (SVG) of benchmark results, one per group of comparable runs, with Brownout and its
 * peers side by side: the peer is JMH's {@code library} or {@code store} parameter where a
 * benchmark has one, and otherwise the benchmark method (a class whose methods are Brownout,
 * Togglz, FF4J…). Values that span more than two orders of magnitude are drawn on a logarithmic
 * scale, and say so.
 */
final class BenchmarkCharts {
  private static final int WIDTH = 720;
  private static final int LABELS = 220;
  private static final int VALUES = 120;
  private static final int ROW = 26;
  private static final int TOP = 50;

  private BenchmarkCharts() {}

  /** One bar: who, how much, and the error if the run measured one. */
  record Bar(String label, double value, double error) {
    boolean brownout() {
      return label.startsWith("brownout");
    }
  }

  /** One chart: comparable runs of one benchmark. */
  record Chart(String title, String unit, boolean higherIsBetter, List<Bar> bars) {
    boolean logarithmic() {
      double max = bars.stream().mapToDouble(Bar::value).max().orElse(0);
      double min = bars.stream().mapToDouble(Bar::value).filter(v -> v > 0).min().orElse(max);
      return min > 0 && max / min >= 100;
    }

    /** A sentence for readers who cannot see the chart. */
    String summary() {
      StringBuilder text = new StringBuilder(title).append(", ").append(unit).append(": ");
      for (int i = 0; i < bars.size(); i++) {
        text.append(i == 0 ? "" : "; ")
            .append(bars.get(i).label())
            .append(' ')
            .append(number(bars.get(i).value()));
      }
      return text.toString();
    }
  }

  /** Groups JMH runs into charts. */
  @SuppressWarnings("unchecked")
  static List<Chart> jmh(List<Map<String, Object>> runs) {
    Map<String, Chart> charts = new LinkedHashMap<>();
    for (Map<String, Object> run : runs) {
      String benchmark = String.valueOf(run.get("benchmark"));
      String[] parts = benchmark.split("\\.");
      String type = parts[parts.length - 2];
      String method = parts[parts.length - 1];
      Map<String, Object> params =
          new TreeMap<>((Map<String, Object>) run.getOrDefault("params", Map.of()));
      String peerKey =
          params.containsKey("library") ? "library" : params.containsKey("store") ? "store" : null;
      String label;
      String title;
      if (peerKey == null) {
        label = method;
        title = type;
      } else {
        label = String.valueOf(params.remove(peerKey));
        title = type + "." + method;
      }
      if (!params.isEmpty()) {
        StringBuilder suffix = new StringBuilder();
        params.forEach(
            (k, v) ->
                suffix.append(suffix.length() == 0 ? " · " : ", ").append(k).append('=').append(v));
        title += suffix;
      }
      Map<String, Object> primary = (Map<String, Object>) run.get("primaryMetric");
      String unit = String.valueOf(primary.get("scoreUnit"));
      boolean higher = "thrpt".equals(run.get("mode"));
      Chart chart =
          charts.computeIfAbsent(title, t -> new Chart(t, unit, higher, new ArrayList<>()));
      chart
          .bars()
          .add(new Bar(label, toDouble(primary.get("score")), toDouble(primary.get("scoreError"))));
    }
    return List.copyOf(charts.values());
  }

  /** Charts of a plain results file: one per {@code workload} for each of {@code metrics}. */
  static List<Chart> rows(
      List<Map<String, Object>> rows, Map<String, String> metrics, boolean higherIsBetter) {
    Map<String, Chart> charts = new LinkedHashMap<>();
    for (Map.Entry<String, String> metric : metrics.entrySet()) {
      for (Map<String, Object> row : rows) {
        String title = metric.getValue() + " · workload=" + row.get("workload");
        Chart chart =
            charts.computeIfAbsent(
                title, t -> new Chart(t, metric.getValue(), higherIsBetter, new ArrayList<>()));
        chart
            .bars()
            .add(
                new Bar(
                    String.valueOf(row.get("library")),
                    toDouble(row.get(metric.getKey())),
                    Double.NaN));
      }
    }
    return List.copyOf(charts.values());
  }

  static String svg(Chart chart) {
    List<Bar> bars = chart.bars();
    int height = TOP + bars.size() * ROW + 12;
    int area = WIDTH - LABELS - VALUES;
    double max =
        bars.stream()
            .mapToDouble(b -> b.value() + (Double.isNaN(b.error()) ? 0 : b.error()))
            .max()
            .orElse(1);
    double minPositive = bars.stream().mapToDouble(Bar::value).filter(v -> v > 0).min().orElse(1);
    boolean log = chart.logarithmic();
    double low = Math.log10(minPositive) - 0.3;
    double high = Math.log10(max);
    StringBuilder svg = new StringBuilder();
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(height)
        .append("\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" role=\"img\" aria-label=\"")
        .append(xml(chart.summary()))
        .append("\">\n")
        .append("<title>")
        .append(xml(chart.summary()))
        .append("</title>\n")
        .append("<style>")
        .append(
            "text{font:12px system-ui,sans-serif;fill:#1d1b18}.t{font-weight:600;font-size:14px}")
        .append(".m{fill:#5c574f}.b{fill:#9a4b00}.p{fill:#8c8c8c}.e{stroke:#1d1b18;stroke-width:1}")
        .append(".bg{fill:#fffdf9}")
        .append("@media (prefers-color-scheme: dark){text{fill:#ece6dc}.m{fill:#b3aa9c}")
        .append(".b{fill:#f0a350}.p{fill:#6f6a62}.e{stroke:#ece6dc}.bg{fill:#1a1815}}")
        .append("</style>\n")
        .append("<rect class=\"bg\" width=\"100%\" height=\"100%\"/>\n")
        .append("<text class=\"t\" x=\"8\" y=\"20\">")
        .append(xml(chart.title()))
        .append("</text>\n")
        .append("<text class=\"m\" x=\"8\" y=\"38\">")
        .append(xml(chart.unit()))
        .append(chart.higherIsBetter() ? " · higher is better" : " · lower is better")
        .append(log ? " · logarithmic scale" : "")
        .append("</text>\n");
    for (int i = 0; i < bars.size(); i++) {
      Bar bar = bars.get(i);
      int y = TOP + i * ROW;
      double width = width(bar.value(), log, low, high, max, area);
      svg.append("<text x=\"")
          .append(LABELS - 8)
          .append("\" y=\"")
          .append(y + 13)
          .append("\" text-anchor=\"end\">")
          .append(xml(bar.label()))
          .append("</text>\n")
          .append("<rect class=\"")
          .append(bar.brownout() ? "b" : "p")
          .append("\" x=\"")
          .append(LABELS)
          .append("\" y=\"")
          .append(y)
          .append("\" width=\"")
          .append(format(Math.max(width, bar.value() > 0 ? 1 : 0)))
          .append("\" height=\"18\" rx=\"2\"/>\n");
      double end = width;
      if (!Double.isNaN(bar.error()) && bar.error() > 0 && !log) {
        double from = width(Math.max(bar.value() - bar.error(), 0), false, low, high, max, area);
        end = width(bar.value() + bar.error(), false, low, high, max, area);
        svg.append("<line class=\"e\" x1=\"")
            .append(format(LABELS + from))
            .append("\" x2=\"")
            .append(format(LABELS + end))
            .append("\" y1=\"")
            .append(y + 9)
            .append("\" y2=\"")
            .append(y + 9)
            .append("\"/>\n");
      }
      svg.append("<text class=\"m\" x=\"")
          .append(format(LABELS + end + 6))
          .append("\" y=\"")
          .append(y + 13)
          .append("\">")
          .append(xml(number(bar.value())))
          .append(
              Double.isNaN(bar.error()) || bar.error() <= 0 ? "" : " ± " + xml(number(bar.error())))
          .append("</text>\n");
    }
    return svg.append("</svg>\n").toString();
  }

  private static double width(
      double value, boolean log, double low, double high, double max, int area) {
    if (value <= 0) {
      return 0;
    }
    if (log) {
      return area * (Math.log10(value) - low) / (high - low);
    }
    return max <= 0 ? 0 : area * value / max;
  }

  private static double toDouble(Object value) {
    return value instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static String format(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }

  static String number(double d) {
    if (Double.isNaN(d)) {
      return "";
    }
    return Math.abs(d) >= 100
        ? String.format(Locale.ROOT, "%,.0f", d)
        : Math.abs(d) >= 1
            ? String.format(Locale.ROOT, "%.2f", d)
            : String.format(Locale.ROOT, "%.3f", d);
  }

  static String xml(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
