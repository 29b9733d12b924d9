package dev.brownout.site;

import dev.brownout.core.json.JsonCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The offline search's index: a script ({@code assets/search-index.js}) that the pages load like
 * any other, so the search works from a folder on disk with no server. It holds every page's
 * sections as plain text, and the Javadoc's types.
 */
final class SearchIndex {
  private SearchIndex() {}

  static void write(Path out, List<PageRenderer.Rendered> pages) throws IOException {
    List<Object> entries = new ArrayList<>();
    for (PageRenderer.Rendered page : pages) {
      List<Object> sections = new ArrayList<>();
      for (PageRenderer.Section section : page.sections()) {
        sections.add(
            SiteBuilder.object("h", section.heading(), "a", section.anchor(), "x", section.text()));
      }
      entries.add(SiteBuilder.object("t", page.title(), "u", page.htmlPath(), "s", sections));
    }
    Files.writeString(
        out.resolve("assets/search-index.js"),
        "window.BROWNOUT_SEARCH = {pages: " + SiteBuilder.json(entries) + ", types: []};\n",
        StandardCharsets.UTF_8);
  }

  /** Adds the types of the Javadoc in {@code out/api}, from its own type index. */
  @SuppressWarnings("unchecked")
  static int addJavadoc(Path out) throws IOException {
    String script = Files.readString(out.resolve("api/type-search-index.js"));
    String array = script.substring(script.indexOf('['), script.lastIndexOf(']') + 1);
    List<Object> types = new ArrayList<>();
    for (Map<String, Object> type : JsonCodec.standard().decode(array, Map[].class)) {
      Object pkg = type.get("p");
      Object name = type.get("l");
      if (pkg == null || name == null) {
        continue;
      }
      types.add(
          SiteBuilder.object(
              "t",
              name,
              "p",
              pkg,
              "u",
              "api/" + pkg.toString().replace('.', '/') + "/" + name + ".html"));
    }
    Files.writeString(
        out.resolve("assets/search-index.js"),
        "window.BROWNOUT_SEARCH.types = " + SiteBuilder.json(types) + ";\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    return types.size();
  }
}
