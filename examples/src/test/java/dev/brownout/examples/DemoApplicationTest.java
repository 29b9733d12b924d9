package dev.brownout.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.examples.booking.PaymentService;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The demo as a newcomer meets it: the site, the admin API, and what the printed lines do. */
class DemoApplicationTest {
  final HttpClient browser =
      HttpClient.newBuilder()
          .cookieHandler(new CookieManager())
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  final DemoApplication demo = DemoApplication.start("--site-port", "0", "--admin-port", "0");
  final URI site = demo.app().siteUri();
  final URI api = demo.app().admin().uri().resolve("api/v1/");

  @AfterEach
  void close() {
    demo.close();
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return browser.send(
        request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String form) throws Exception {
    return send(
        HttpRequest.newBuilder(site.resolve(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)));
  }

  HttpResponse<String> admin(String method, String path, String json) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(api.resolve(path)).header("Authorization", "Bearer " + demo.token());
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    return send(
        request.method(
            method,
            json == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json)));
  }

  @Test
  void theSiteServesListingsSignsInAndBooksWithAPaidCharge() throws Exception {
    HttpResponse<String> listings = send(HttpRequest.newBuilder(site.resolve("listings?q=lisbon")));
    assertThat(listings.statusCode()).isEqualTo(200);
    assertThat(listings.body()).contains("Harbour loft").doesNotContain("Garden flat");

    assertThat(post("bookings", "listing=3&nights=2").statusCode()).as("signed out").isEqualTo(401);
    assertThat(post("signin", "user=ada").body()).isEqualTo("signed in as ada");
    HttpResponse<String> booked = post("bookings", "listing=3&nights=2");
    assertThat(booked.statusCode()).isEqualTo(201);
    assertThat(booked.body()).matches("\\{\"booking\":\\d+,\"payment\":\"primary-charge-\\d+\"\\}");
    assertThat(send(HttpRequest.newBuilder(site.resolve("me"))).body())
        .startsWith("{\"user\":\"ada\",\"lastBooking\":");
    assertThat(post("bookings", "listing=x&nights=2").statusCode()).isEqualTo(400);
  }

  @Test
  void aDeclinedCardIsRefusedPolitelyAndAFailingPrimaryFailsOverToTheSecondary() throws Exception {
    assertThat(demo.paymentServices())
        .extracting(PaymentService::name)
        .containsExactly("primary", "secondary");
    assertThat(post("signin", "user=declined-dan").body()).isEqualTo("signed in as declined-dan");
    HttpResponse<String> declined = post("bookings", "listing=3&nights=2");
    assertThat(declined.statusCode()).isEqualTo(402);
    assertThat(declined.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(declined.body()).contains("card-declined").contains("nothing was charged");
    PaymentService primary = demo.paymentServices().get(0);
    PaymentService secondary = demo.paymentServices().get(1);
    assertThat(primary.chargeIds()).isEmpty();
    assertThat(secondary.declined()).as("a declined card is not asked of the secondary").isEmpty();

    assertThat(post("signin", "user=ada").body()).isEqualTo("signed in as ada");
    primary.behave(PaymentService.Behaviour.FAILING);
    HttpResponse<String> failedOver = post("bookings", "listing=3&nights=2");
    assertThat(failedOver.statusCode()).isEqualTo(201);
    assertThat(failedOver.body()).contains("\"payment\":\"secondary-charge-1\"");
    assertThat(secondary.chargeIds()).containsExactly("secondary-charge-1");
  }

  @Test
  void forcingThePrimarysBreakerOpenFailsOverAndForcingBothPaysLater() throws Exception {
    post("signin", "user=ada");
    assertThat(admin("GET", "breakers", null).body()).contains("primary").contains("secondary");
    assertThat(admin("POST", "breakers/primary/force-open", null).statusCode()).isEqualTo(200);
    assertThat(post("bookings", "listing=5&nights=1").body()).contains("secondary-charge-");
    assertThat(admin("POST", "breakers/secondary/force-open", null).statusCode()).isEqualTo(200);
    HttpResponse<String> later = post("bookings", "listing=5&nights=1");
    assertThat(later.body()).contains("\"payment\":\"pending\"");
    assertThat(admin("POST", "breakers/primary/close", null).statusCode()).isEqualTo(200);
    assertThat(admin("POST", "breakers/secondary/close", null).statusCode()).isEqualTo(200);
    long booking = Long.parseLong(later.body().replaceAll("\\D*(\\d+).*", "$1"));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String mine = "";
    while (!mine.contains(booking + " listing=5 nights=1 payment=primary-charge-")
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
      mine = send(HttpRequest.newBuilder(site.resolve("bookings"))).body();
    }
    assertThat(mine)
        .as("charged later by the primary")
        .contains(booking + " listing=5 nights=1 payment=primary-charge-");
  }

  @Test
  void theAdminApiAnswers401WithoutTheTokenAndListsItsRoutesWithIt() throws Exception {
    HttpResponse<String> anonymous = send(HttpRequest.newBuilder(api.resolve("flags")));
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    HttpResponse<String> routes = admin("GET", "", null);
    assertThat(routes.statusCode()).isEqualTo(200);
    assertThat(routes.body()).contains("read-mode.enter").contains("breakers.configure");
  }

  @Test
  void browseOnlyByHandRefusesBookingsPolitelyAndBrowsingGoesOn() throws Exception {
    post("signin", "user=ada");
    assertThat(
            admin(
                    "PUT",
                    "read-mode/reasons/db-move",
                    "{\"kind\":\"maintenance\",\"message\":\"Moving databases.\"}")
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> refused = post("bookings", "listing=3&nights=2");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(refused.body()).contains("browse-only").contains("Moving databases.");
    HttpResponse<String> page = send(HttpRequest.newBuilder(site.resolve("listings/3")));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Bookings are paused");

    assertThat(admin("DELETE", "read-mode/reasons/db-move", null).statusCode()).isEqualTo(204);
    assertThat(post("bookings", "listing=3&nights=2").statusCode()).isEqualTo(201);
  }

  @Test
  void theKillSwitchTurnsInstantBookOffForEveryone() throws Exception {
    int on = 0;
    for (int i = 0; i < 200; i++) {
      if (demo.app()
          .flags()
          .isEnabled("instant-book", dev.brownout.flags.FlagContext.of("user-" + i))) {
        on++;
      }
    }
    assertThat(on).as("the staged rollout's first step: about 10% of users").isBetween(5, 40);
    assertThat(demo.app().rollouts().status("instant-book").percentage()).isEqualTo(10.0);
    assertThat(admin("PATCH", "flags/instant-book", "{\"enabled\":false}").statusCode())
        .isEqualTo(200);
    for (int i = 0; i < 20; i++) {
      assertThat(
              demo.app()
                  .flags()
                  .isEnabled("instant-book", dev.brownout.flags.FlagContext.of("user-" + i)))
          .isFalse();
    }
  }

  @Test
  void theStartLinesNameTheSiteAndTheToken() {
    assertThat(String.join("\n", demo.instructions()))
        .contains(site + "listings")
        .contains(demo.token())
        .contains("/read-mode/reasons/db-move")
        .contains("Payments:     " + demo.paymentServices().get(1).uri() + "  (secondary");
  }

  @Test
  void badOptionsAreNamed() {
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--port", "1"}))
        .hasMessageContaining("'--port'");
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--admin-port"}))
        .hasMessageContaining("needs a value");
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--store", "mongo://x"}))
        .hasMessageContaining("--store must be");
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--site-port", "70000"}))
        .hasMessageContaining("0 to 65535");
    assertThatThrownBy(() -> DemoOptions.parse(new String[] {"--db", "h2:mem"}))
        .hasMessageContaining("JDBC URL");
  }
}
