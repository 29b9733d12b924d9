package dev.brownout.site;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.ext.heading.anchor.HeadingAnchorExtension;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.Heading;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Renders one Markdown page to the HTML of its content (CommonMark with GitHub tables and heading
 * ids): fills snippet blocks from {@link Snippets}, turns links to {@code .md} pages into links to
 * their {@code .html}, and collects the headings for the navigation and the search.
 */
final class PageRenderer {
  private static final Pattern SNIPPET = Pattern.compile("\\bsnippet=([A-Za-z0-9_.-]+#[a-z0-9-]+)");
  private static final Pattern MD_LINK = Pattern.compile("^([^:?#]*)\\.md(#.*)?$");
  private static final Pattern HEADING =
      Pattern.compile("<h([1-3]) id=\"([^\"]+)\">(.*?)</h\\1>", Pattern.DOTALL);

  /** A heading of the page: its level, its id and its text. */
  record Anchor(int level, String id, String text) {}

  /** A part of the page under one heading, as plain text, for the search. */
  record Section(String heading, String anchor, String text) {}

  /** A rendered page. */
  record Rendered(
      String path,
      String title,
      String body,
      List<Anchor> headings,
      List<Section> sections,
      int snippets,
      int inlineJava) {
    /** The built page's path, relative to the site's root. */
    String htmlPath() {
      return path.substring(0, path.length() - 3) + ".html";
    }

    /** The way back to the site's root from this page: {@code ""} or {@code "../"}. */
    String root() {
      return "../".repeat((int) path.chars().filter(c -> c == '/').count());
    }
  }

  private final Snippets snippets;
  private final Parser parser;
  private final HtmlRenderer renderer;

  PageRenderer(Snippets snippets) {
    this.snippets = snippets;
    List<Extension> extensions = List.of(TablesExtension.create(), HeadingAnchorExtension.create());
    this.parser = Parser.builder().extensions(extensions).build();
    this.renderer = HtmlRenderer.builder().extensions(extensions).build();
  }

  Rendered render(String path, String markdown, List<String> problems) {
    Node document = parser.parse(markdown);
    int[] counts = new int[2];
    String[] title = {null};
    document.accept(
        new AbstractVisitor() {
          @Override
          public void visit(FencedCodeBlock block) {
            String info = block.getInfo() == null ? "" : block.getInfo().trim();
            Matcher snippet = SNIPPET.matcher(info);
            if (snippet.find()) {
              Optional<Snippets.Snippet> found = snippets.find(snippet.group(1));
              if (found.isEmpty()) {
                problems.add(
                    path
                        + " asks for snippet "
                        + snippet.group(1)
                        + ", which no test marks with // tag::"
                        + snippet.group(1).substring(snippet.group(1).indexOf('#') + 1)
                        + "[]");
              } else if (!block.getLiteral().isBlank()) {
                problems.add(
                    path + ": the block for snippet " + snippet.group(1) + " must be empty");
              } else {
                block.setLiteral(found.get().text());
              }
              // The language is what comes before the request: "java snippet=…" is shown as
              // Java; a bare "snippet=…" gets no language.
              block.setInfo(info.substring(0, snippet.start()).trim());
              counts[0]++;
            } else if (info.equals("java") || info.startsWith("java ")) {
              // Java the build does not compile: counted, and held at zero by SiteContentTest.
              counts[1]++;
            }
          }

          @Override
          public void visit(Link link) {
            link.setDestination(htmlLink(link.getDestination()));
            visitChildren(link);
          }

          @Override
          public void visit(Heading heading) {
            if (heading.getLevel() == 1 && title[0] == null) {
              title[0] = text(heading);
            }
            visitChildren(heading);
          }
        });
    if (title[0] == null) {
      problems.add(path + " has no '# Title' heading");
      title[0] = path;
    }
    String body = renderer.render(document);
    List<Anchor> headings = new ArrayList<>();
    List<Section> sections = new ArrayList<>();
    Matcher heading = HEADING.matcher(body);
    int previousEnd = 0;
    String previousHeading = title[0];
    String previousAnchor = "";
    while (heading.find()) {
      String text = plain(heading.group(3));
      headings.add(new Anchor(Integer.parseInt(heading.group(1)), heading.group(2), text));
      addSection(
          sections, previousHeading, previousAnchor, body.substring(previousEnd, heading.start()));
      previousHeading = text;
      previousAnchor = heading.group(1).equals("1") ? "" : heading.group(2);
      previousEnd = heading.end();
    }
    addSection(sections, previousHeading, previousAnchor, body.substring(previousEnd));
    return new Rendered(path, title[0], body, headings, sections, counts[0], counts[1]);
  }

  private static void addSection(
      List<Section> sections, String heading, String anchor, String html) {
    String text = plain(html);
    if (!text.isBlank() || !anchor.isEmpty()) {
      sections.add(new Section(heading, anchor, text));
    }
  }

  /**
   * A link to a page of the site: {@code flags.md#rollouts} becomes {@code flags.html#rollouts}.
   */
  static String htmlLink(String destination) {
    Matcher md = MD_LINK.matcher(destination);
    if (md.matches()) {
      return md.group(1) + ".html" + (md.group(2) == null ? "" : md.group(2));
    }
    return destination;
  }

  private static String text(Node node) {
    StringBuilder text = new StringBuilder();
    for (Node child = node.getFirstChild(); child != null; child = child.getNext()) {
      if (child instanceof Text t) {
        text.append(t.getLiteral());
      } else if (child instanceof Code c) {
        text.append(c.getLiteral());
      } else {
        text.append(text(child));
      }
    }
    return text.toString();
  }

  /** The text of some HTML, tags removed and entities decoded, whitespace folded. */
  static String plain(String html) {
    return html.replaceAll("<[^>]*>", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replaceAll("\\s+", " ")
        .trim();
  }
}
