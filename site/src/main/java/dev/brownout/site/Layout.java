package dev.brownout.site;

import java.util.List;

/** The HTML around every page: head, top bar with the search box, navigation, footer. */
final class Layout {
  private Layout() {}

  static String page(PageRenderer.Rendered page, List<Navigation.Section> navigation) {
    String root = page.root();
    StringBuilder html = new StringBuilder(page.body().length() + 8192);
    html.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>")
        .append(escape(page.title()))
        .append(" · Brownout</title>\n")
        .append("<link rel=\"stylesheet\" href=\"")
        .append(root)
        .append("assets/site.css\">\n")
        .append("<script src=\"")
        .append(root)
        .append("assets/search-index.js\" defer></script>\n")
        .append("<script src=\"")
        .append(root)
        .append("assets/site.js\" defer></script>\n")
        .append("</head>\n<body data-root=\"")
        .append(root)
        .append("\">\n")
        .append("<a class=\"skip\" href=\"#content\">Skip to the content</a>\n")
        .append("<header class=\"top\">\n")
        .append(
            "<button type=\"button\" class=\"menu\" aria-controls=\"nav\" aria-expanded=\"false\">"
                + "Menu</button>\n")
        .append("<a class=\"brand\" href=\"")
        .append(root)
        .append("index.html\">Brownout</a>\n")
        .append("<form class=\"search\" role=\"search\" action=\"#\">\n")
        .append(
            "<input type=\"search\" id=\"search\" placeholder=\"Search the docs\""
                + " aria-label=\"Search the docs\" autocomplete=\"off\" aria-controls=\"search-results\">\n")
        .append("<ol id=\"search-results\" hidden></ol>\n</form>\n</header>\n")
        .append("<div class=\"layout\">\n<nav id=\"nav\" aria-label=\"Site\">\n");
    for (Navigation.Section section : navigation) {
      html.append("<h2>").append(escape(section.title())).append("</h2>\n<ul>\n");
      for (Navigation.Entry entry : section.entries()) {
        boolean current = entry.path().equals(page.path());
        html.append("<li><a href=\"")
            .append(root)
            .append(entry.html())
            .append('"')
            .append(current ? " aria-current=\"page\"" : "")
            .append('>')
            .append(escape(entry.label()))
            .append("</a>");
        if (current) {
          appendContents(html, page);
        }
        html.append("</li>\n");
      }
      html.append("</ul>\n");
    }
    html.append("</nav>\n<main id=\"content\">\n")
        .append(page.body())
        .append("</main>\n</div>\n<footer>\n<p>Brownout ")
        .append("· <a href=\"")
        .append(root)
        .append("api/index.html\">Javadoc</a> · <a href=\"")
        .append(root)
        .append("reference/configuration.html\">Configuration keys</a> · Built from the")
        .append(" sources; every Java snippet is compiled and run by the build.</p>\n</footer>\n")
        .append("</body>\n</html>\n");
    return html.toString();
  }

  /** The current page's sections, under its link. */
  private static void appendContents(StringBuilder html, PageRenderer.Rendered page) {
    long sections = page.headings().stream().filter(h -> h.level() == 2).count();
    if (sections < 2) {
      return;
    }
    html.append("\n<ul class=\"contents\">\n");
    for (PageRenderer.Anchor heading : page.headings()) {
      if (heading.level() == 2) {
        html.append("<li><a href=\"#")
            .append(heading.id())
            .append("\">")
            .append(escape(heading.text()))
            .append("</a></li>\n");
      }
    }
    html.append("</ul>\n");
  }

  static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
