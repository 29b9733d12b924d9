package dev.brownout.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoApplicationTest {
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  HttpResponse<String> get(URI uri, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theAdminApiAnswers401WithoutTheTokenAnd200WithIt() throws Exception {
    try (DemoApplication app = DemoApplication.start(List.of("brownout.admin.port=0"))) {
      URI api = app.server().uri().resolve("api/v1");

      HttpResponse<String> anonymous = get(api, null);
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("application/problem+json");

      HttpResponse<String> authorised = get(api, app.token());
      assertThat(authorised.statusCode()).isEqualTo(200);
      assertThat(authorised.body()).contains("demo.greeting.put");
    }
  }

  @Test
  void aChangeToTheGreetingIsAudited() throws Exception {
    try (DemoApplication app = DemoApplication.start(List.of("brownout.admin.port=0"))) {
      URI greeting = app.server().uri().resolve("api/v1/demo/greeting");
      HttpResponse<String> put =
          client.send(
              HttpRequest.newBuilder(greeting)
                  .header("Authorization", "Bearer " + app.token())
                  .header("Content-Type", "application/json")
                  .header("Brownout-Reason", "test")
                  .PUT(HttpRequest.BodyPublishers.ofString("{\"text\":\"Hi\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(put.statusCode()).isEqualTo(200);

      HttpResponse<String> audit = get(app.server().uri().resolve("api/v1/audit"), app.token());
      assertThat(audit.body()).contains("demo.greeting.put").contains("\"reason\":\"test\"");
    }
  }

  @Test
  void theKillSwitchTurnsTheDemoFeatureOffForEveryone() throws Exception {
    try (DemoApplication app = DemoApplication.start(List.of("brownout.admin.port=0"))) {
      int on = 0;
      for (int i = 0; i < 200; i++) {
        if (app.flags().isEnabled("instant-book", dev.brownout.flags.FlagContext.of("user-" + i))) {
          on++;
        }
      }
      assertThat(on).as("about 30% of users see the new feature").isBetween(30, 90);

      HttpResponse<String> killed =
          client.send(
              HttpRequest.newBuilder(app.server().uri().resolve("api/v1/flags/instant-book"))
                  .header("Authorization", "Bearer " + app.token())
                  .header("Content-Type", "application/json")
                  .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"enabled\":false}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(killed.statusCode()).isEqualTo(200);

      HttpResponse<String> greeting =
          get(app.server().uri().resolve("api/v1/demo/greeting?user=ada"), app.token());
      assertThat(greeting.body()).contains("\"instantBook\":false");
    }
  }

  @Test
  void badOptionsAreNamed() {
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--port", "1"}))
        .hasMessageContaining("'--port'");
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--admin-port"}))
        .hasMessageContaining("needs a value");
  }
}
