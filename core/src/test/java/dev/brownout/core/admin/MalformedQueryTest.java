package dev.brownout.core.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A path or query string a client escaped wrongly is a 400 that names it, and reaches no route. */
class MalformedQueryTest {
  static final String TOKEN = "write-token-0123456789abcdef";

  @Test
  void anIncompleteOrNonHexEscapeInThePathOrQueryIsRefusedWith400() {
    AtomicInteger reached = new AtomicInteger();
    AdminApi api =
        AdminApi.builder()
            .writeTokens(List.of(TOKEN))
            .routes(
                AdminRoute.get(
                    "/api/v1/things",
                    "things.list",
                    "List.",
                    request -> {
                      reached.incrementAndGet();
                      return AdminResponse.ok(
                          java.util.Map.of("name", request.query("name").orElse("")));
                    }))
            .build();
    for (String query : List.of("limit=%", "limit=5&x=%zz", "%=1")) {
      AdminResponse response =
          api.handle(
              AdminRequest.builder("GET", "/api/v1/things")
                  .rawQuery(query)
                  .header("Authorization", "Bearer " + TOKEN)
                  .build());
      assertThat(response.status()).as(query).isEqualTo(400);
      assertThat(new String(response.body(), StandardCharsets.UTF_8))
          .contains("bad-request")
          .contains("percent-encoding");
    }
    assertThat(reached).hasValue(0);

    for (String path : List.of("/api/v1/things/%", "/api/v1/%zz")) {
      AdminResponse response =
          api.handle(
              AdminRequest.builder("GET", path).header("Authorization", "Bearer " + TOKEN).build());
      assertThat(response.status()).as(path).isEqualTo(400);
    }

    AdminResponse fine =
        api.handle(
            AdminRequest.builder("GET", "/api/v1/things")
                .rawQuery("limit=5&name=a%20b")
                .header("Authorization", "Bearer " + TOKEN)
                .build());
    assertThat(fine.status()).isEqualTo(200);
    assertThat(reached).hasValue(1);
  }
}
