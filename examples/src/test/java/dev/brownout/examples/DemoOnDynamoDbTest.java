package dev.brownout.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.testservers.DynamoDbLocalServer;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code ./examples/demo --store dynamodb://…} against DynamoDB Local: sign in, book, and back. */
class DemoOnDynamoDbTest {
  @Test
  void theSiteWorksWithSessionsFlagsAndReadModeInDynamoDb() throws Exception {
    try (DynamoDbLocalServer dynamo = new DynamoDbLocalServer();
        DemoApplication demo =
            DemoApplication.start(
                "--site-port",
                "0",
                "--admin-port",
                "0",
                "--store",
                "dynamodb://127.0.0.1:" + dynamo.endpoint().getPort(),
                "--table",
                "stays")) {
      HttpClient browser =
          HttpClient.newBuilder()
              .cookieHandler(new CookieManager())
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      URI site = demo.app().siteUri();
      assertThat(post(browser, site.resolve("signin"), "user=ada").body())
          .isEqualTo("signed in as ada");
      HttpResponse<String> booked = post(browser, site.resolve("bookings"), "listing=2&nights=3");
      assertThat(booked.statusCode()).isEqualTo(201);
      assertThat(
              browser
                  .send(
                      HttpRequest.newBuilder(site.resolve("me")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
          .startsWith("{\"user\":\"ada\",\"lastBooking\":");
    }
  }

  static HttpResponse<String> post(HttpClient browser, URI uri, String form) throws Exception {
    return browser.send(
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
