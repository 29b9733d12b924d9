package dev.brownout.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

/** The site's main flows, through HTTP, as the README's commands run them. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StaysApplicationTest {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Value("${local.server.port}")
  int port;

  @Test
  void browseSignInBookPayLaterAndBrowseOnly() throws Exception {
    assertThat(send("GET", "/listings", null, null).body()).contains("Loft by the canal");

    HttpResponse<String> signIn = send("POST", "/signin?user=ada", null, null);
    String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).startsWith("STAYS=");
    String session = cookie.substring(0, cookie.indexOf(';'));

    assertThat(send("POST", "/bookings?listing=3&nights=2", session, null).body())
        .contains("\"payment\":\"charge-1\"");

    send("POST", "/vendor/down", null, null);
    assertThat(send("POST", "/bookings?listing=5&nights=1", session, null).body())
        .as("the payment API is down: paid later")
        .contains("\"payment\":\"pending\"");
    send("POST", "/vendor/up", null, null);

    String token = "Bearer demo-token-0123456789abcdef";
    assertThat(
            send(
                    "PUT",
                    "/brownout/api/v1/read-mode/reasons/db-move",
                    null,
                    token,
                    "{\"kind\":\"maintenance\",\"message\":\"Moving databases.\"}")
                .statusCode())
        .isBetween(200, 201);
    HttpResponse<String> refused = send("POST", "/bookings?listing=3&nights=2", session, null);
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.body()).contains("browse-only", "Moving databases.");
    assertThat(send("GET", "/listings", session, null).statusCode()).isEqualTo(200);
    send("DELETE", "/brownout/api/v1/read-mode/reasons/db-move", null, token);
    assertThat(send("GET", "/bookings", session, null).body()).contains("charge-1", "pending");
  }

  private HttpResponse<String> send(String method, String path, String cookie, String token)
      throws IOException, InterruptedException {
    return send(method, path, cookie, token, null);
  }

  private HttpResponse<String> send(
      String method, String path, String cookie, String token, String json)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    if (token != null) {
      request.header("Authorization", token).header("Content-Type", "application/json");
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
