package dev.brownout.core.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Renders the configuration reference from key declarations, so the documentation cannot drift. */
public final class ConfigReference {
  private ConfigReference() {}

  /** A Markdown table of {@code keys}: name, environment variable, type, default, description. */
  public static String markdown(Collection<? extends ConfigKey<?>> keys) {
    StringBuilder text =
        new StringBuilder(
            "| Key | Environment variable | Value | Default | Description |\n"
                + "|---|---|---|---|---|\n");
    List<? extends ConfigKey<?>> sorted =
        keys.stream().sorted(Comparator.comparing(ConfigKey::name)).toList();
    for (ConfigKey<?> key : sorted) {
      text.append("| `")
          .append(key.name())
          .append("` | `")
          .append(key.environmentVariable())
          .append("` | ")
          .append(escape(key.type().expectation()))
          .append(" | ")
          .append(defaultText(key))
          .append(" | ")
          .append(escape(key.doc()))
          .append(key.secret() ? " *Secret: never printed.*" : "")
          .append(" |\n");
    }
    return text.toString();
  }

  private static <T> String defaultText(ConfigKey<T> key) {
    return key.defaultValue()
        .map(value -> key.type().format(value))
        .map(text -> text.isEmpty() ? "(empty)" : "`" + text + "`")
        .orElse("(none)");
  }

  private static String escape(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}
