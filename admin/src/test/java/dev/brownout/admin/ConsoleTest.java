package dev.brownout.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
  final HttpClient client = HttpClient.newHttpClient();
  AdminServer server;

  @BeforeEach
  void start() {
    server = AdminServer.builder(api).port(0).start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  HttpResponse<String> send(String method, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(server.uri().resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void thePageNeedsNoTokenAndItsPolicyAllowsOnlyItsOwnScriptAndThisOrigin() throws Exception {
    HttpResponse<String> page = send("GET", "console");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    String html = page.body();
    assertThat(html).contains("<title>Brownout console</title>").contains("\"/api/v1\"");

    String script = html.substring(html.indexOf("<script>") + 8, html.indexOf("</script>"));
    String hash =
        Base64.getEncoder()
            .encodeToString(
                MessageDigest.getInstance("SHA-256")
                    .digest(script.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'none'")
        .contains("connect-src 'self'")
        .contains("script-src 'sha256-" + hash + "'")
        .contains("frame-ancestors 'none'");
  }

  @Test
  void theApiStillNeedsItsToken() throws Exception {
    assertThat(send("GET", "api/v1").statusCode()).isEqualTo(401);
    assertThat(send("POST", "console").statusCode()).isEqualTo(401);
  }

  @Test
  void theConsoleIsNotServedByTheRouteModelItself() {
    // Core's AdminApi knows nothing of the console: only the transports serve it.
    assertThat(
            api.handle(dev.brownout.core.admin.AdminRequest.builder("GET", "/console").build())
                .status())
        .isEqualTo(401);
  }
}
