package dev.brownout.site.guides;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.admin.AdminServer;
import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.degrade.CircuitBreaker;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.ReadOnlyModeException;
import dev.brownout.degrade.ReadOnlyReason;
import dev.brownout.degrade.ReadOnlySafe;
import dev.brownout.degrade.Resilience;
import dev.brownout.degrade.Retry;
import dev.brownout.degrade.Timeout;
import dev.brownout.degrade.WriteOperation;
import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.StateStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The getting-started guide, run: every step of it, in order, on the in-memory store. */
class GettingStartedTest {
  static final String WRITE_TOKEN = "write-token-change-me-0123456789";

  // tag::payment-api[]
  /** The payment provider, as your application calls it. */
  public interface PaymentApi {
    @Retry("payments")
    @CircuitBreaker("payments")
    @Timeout(millis = 500)
    String charge(String booking, long cents) throws IOException;
  }

  // end::payment-api[]

  // tag::bookings[]
  /** Your own service: booking writes, browsing does not. */
  public interface Bookings {
    @WriteOperation
    String book(String listing, String guest);

    @ReadOnlySafe
    List<String> listings();
  }

  // end::bookings[]

  /** A provider that fails the first call of every booking, as a flaky network would. */
  static final class FlakyPayments implements PaymentApi {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String charge(String booking, long cents) throws IOException {
      if (calls.incrementAndGet() == 1) {
        throw new IOException("connection reset");
      }
      return "charge-" + booking;
    }
  }

  static final class InMemoryBookings implements Bookings {
    final List<String> booked = new ArrayList<>();

    @Override
    public String book(String listing, String guest) {
      booked.add(listing + ":" + guest);
      return "booking-" + booked.size();
    }

    @Override
    public List<String> listings() {
      return List.of("loft", "cabin");
    }
  }

  final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  @Test
  void fromAnEmptyProjectToTheAdminEndpoint() throws Exception {
    // tag::config[]
    BrownoutConfig config = BrownoutConfig.load(); // defaults, brownout.properties, environment, -D
    StateStore store = InMemoryStateStore.create(); // one process; Redis or DynamoDB for a fleet
    // end::config[]
    opened.add(store);

    // tag::flag[]
    Flags flags = Flags.builder(store).config(config).build();
    flags.admin().create(FlagDefinition.rollout("new-checkout", 25)); // for 25 % of users
    boolean newCheckout = flags.isEnabled("new-checkout", FlagContext.of("user-42"));
    // end::flag[]
    opened.add(flags);
    assertThat(newCheckout).isEqualTo(flags.isEnabled("new-checkout", FlagContext.of("user-42")));
    long enabled =
        java.util.stream.IntStream.range(0, 1000)
            .filter(i -> flags.isEnabled("new-checkout", FlagContext.of("user-" + i)))
            .count();
    assertThat(enabled).isBetween(180L, 320L);

    FlakyPayments provider = new FlakyPayments();
    // tag::guarded-call[]
    Resilience resilience =
        Resilience.builder(store)
            .circuitBreaker("payments")
            .retry("payments")
            .config(config)
            .build();
    PaymentApi payments =
        GuardedProxies.builder().add(resilience.guards()).build().proxy(PaymentApi.class, provider);
    String charge =
        payments.charge("booking-7", 12_000); // the first attempt fails, the retry works
    // end::guarded-call[]
    opened.add(resilience);
    assertThat(charge).isEqualTo("charge-booking-7");
    assertThat(provider.calls).hasValue(2);

    InMemoryBookings database = new InMemoryBookings();
    // tag::browse-only[]
    ReadMode readMode = ReadMode.builder(store).config(config).build();
    Bookings bookings =
        GuardedProxies.builder().add(readMode.guards()).build().proxy(Bookings.class, database);

    readMode.enter(
        ReadOnlyReason.builder("db-move", ReadOnlyReason.Kind.MAINTENANCE)
            .source("ops") // who set it, for the audit trail and the console
            .message("Bookings are paused while we move the database.")
            .build());
    List<String> listings = bookings.listings(); // browsing still works
    // end::browse-only[]
    opened.add(readMode);
    assertThat(listings).containsExactly("loft", "cabin");
    assertThat(readMode.isBrowseOnly()).isTrue();
    assertThatThrownBy(() -> bookings.book("loft", "ada"))
        .isInstanceOf(ReadOnlyModeException.class)
        .hasMessageContaining("paused");
    assertThat(database.booked).isEmpty();
    // tag::browse-only[]
    readMode.leave("db-move"); // writes are accepted again
    // end::browse-only[]
    assertThat(bookings.book("loft", "ada")).isEqualTo("booking-1");

    // tag::admin[]
    AdminApi api =
        AdminApi.builder()
            .config(config) // the tokens: brownout.admin.read-tokens and write-tokens
            .routes(flags.adminRoutes())
            .routes(readMode.adminRoutes())
            .routes(resilience.adminRoutes())
            .build();
    AdminServer server = AdminServer.start(api, config); // 127.0.0.1:9099 unless configured
    // end::admin[]
    opened.add(server);

    HttpClient http = HttpClient.newHttpClient();
    URI flag = server.uri().resolve("api/v1/flags/new-checkout");
    assertThat(
            http.send(HttpRequest.newBuilder(flag).build(), HttpResponse.BodyHandlers.ofString()))
        .satisfies(response -> assertThat(response.statusCode()).isEqualTo(401))
        .satisfies(
            response ->
                assertThat(response.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("application/problem+json"));
    HttpResponse<String> kill =
        http.send(
            HttpRequest.newBuilder(flag)
                .header("Authorization", "Bearer " + WRITE_TOKEN)
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"enabled\":false}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(kill.statusCode()).as(kill.body()).isEqualTo(200);
    assertThat(flags.isEnabled("new-checkout", FlagContext.of("user-42"))).isFalse();

    HttpResponse<String> browseOnly =
        http.send(
            HttpRequest.newBuilder(server.uri().resolve("api/v1/read-mode/reasons/drill"))
                .header("Authorization", "Bearer " + WRITE_TOKEN)
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"kind\":\"maintenance\",\"message\":\"Back at noon.\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(browseOnly.statusCode()).as(browseOnly.body()).isBetween(200, 201);
    assertThat(readMode.isBrowseOnly()).isTrue();
  }
}
