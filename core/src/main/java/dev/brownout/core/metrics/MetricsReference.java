package dev.brownout.core.metrics;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;

/** Renders the metrics reference from meter declarations, so the documentation cannot drift. */
public final class MetricsReference {
  private MetricsReference() {}

  /** A Markdown table of {@code meters}: name, kind, unit, tags, description. */
  public static String markdown(Collection<MeterSpec> meters) {
    StringBuilder text =
        new StringBuilder("| Meter | Kind | Unit | Tags | Description |\n|---|---|---|---|---|\n");
    meters.stream()
        .sorted(Comparator.comparing(MeterSpec::name))
        .forEach(
            meter ->
                text.append("| `")
                    .append(meter.name())
                    .append("` | ")
                    .append(meter.kind().name().toLowerCase(Locale.ROOT))
                    .append(" | ")
                    .append(meter.baseUnit().isEmpty() ? "" : meter.baseUnit())
                    .append(" | ")
                    .append(String.join(", ", meter.tagKeys()))
                    .append(" | ")
                    .append(meter.description().replace("|", "\\|"))
                    .append(" |\n"));
    return text.toString();
  }
}
