package dev.brownout.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The console page: served without a token, locked down by its Content-Security-Policy. */
class ConsoleTest {
  final AdminApi api =
      AdminApi.builder()
          .authenticator(
              BearerTokenAuthenticator.builder()
                  .writeToken("ops", "write-token-0123456789abcdef")
                  .build())
          .build();

  @Test
  void thePageNeedsNoTokenAndItsPolicyAllowsOnlyItsOwnScriptAndThisOrigin() throws Exception {
    AdminResponse page = api.handle(AdminRequest.builder("GET", AdminApi.CONSOLE_PATH).build());
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.contentType()).startsWith("text/html");
    String html = new String(page.body(), StandardCharsets.UTF_8);
    assertThat(html).contains("<title>Brownout console</title>").contains("\"/api/v1\"");

    String script = html.substring(html.indexOf("<script>") + 8, html.indexOf("</script>"));
    String hash =
        Base64.getEncoder()
            .encodeToString(
                MessageDigest.getInstance("SHA-256")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
    assertThat(page.headers().get("Content-Security-Policy"))
        .contains("default-src 'none'")
        .contains("connect-src 'self'")
        .contains("script-src 'sha256-" + hash + "'")
        .contains("frame-ancestors 'none'");
  }

  @Test
  void theApiStillNeedsItsToken() {
    assertThat(api.handle(AdminRequest.builder("GET", "/api/v1").build()).status()).isEqualTo(401);
    assertThat(api.handle(AdminRequest.builder("POST", AdminApi.CONSOLE_PATH).build()).status())
        .isEqualTo(401);
  }
}
