package dev.brownout.admin;

import dev.brownout.core.admin.AdminResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The web console: a page that asks for a token and then shows and changes flags, the read mode,
 * breakers and the audit trail through the admin API. Served without a token, as it holds no data.
 * The page is loaded once. Its Content-Security-Policy allows exactly its own inline script and
 * style (by hash), calls to this origin, and nothing else: no other scripts, no frames, no form
 * posts.
 */
public final class Console {
  private static final byte[] PAGE = load();
  private static final String POLICY =
      "default-src 'none'; connect-src 'self'; script-src "
          + hash(PAGE, "<script>", "</script>")
          + "; style-src "
          + hash(PAGE, "<style>", "</style>")
          + "; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

  private Console() {}

  /** The page, with its security headers. */
  public static AdminResponse response() {
    return AdminResponse.raw(200, "text/html", PAGE)
        .withHeader("Content-Security-Policy", POLICY)
        .withHeader("Cache-Control", "no-store")
        .withHeader("X-Content-Type-Options", "nosniff")
        .withHeader("Referrer-Policy", "no-referrer");
  }

  private static byte[] load() {
    try (InputStream in = Console.class.getResourceAsStream("console.html")) {
      if (in == null) {
        throw new IllegalStateException("the console page is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String hash(byte[] page, String open, String close) {
    String html = new String(page, StandardCharsets.UTF_8);
    int start = html.indexOf(open) + open.length();
    int end = html.indexOf(close, start);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(html.substring(start, end).getBytes(StandardCharsets.UTF_8));
      return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
