package dev.brownout.site;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.core.time.ManualClock;
import dev.brownout.degrade.ReadMode;
import dev.brownout.flags.Flags;
import dev.brownout.state.InMemoryStateStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Requests and answers of the admin API, recorded when the site is built: each exchange is sent to
 * a real {@link AdminApi} over the flags' and browse-only routes on an in-memory store, and its
 * status, headers and body are written as they came back. An exchange that answers another status
 * than the one the page says fails the build, so the examples cannot drift from the code.
 */
final class AdminApiExamples {
  private static final String TOKEN = "write-token-0123456789abcdef";
  private static final List<String> SHOWN_HEADERS =
      List.of("Location", "ETag", "Retry-After", "WWW-Authenticate");

  private AdminApiExamples() {}

  /** One request, what it shows, and the status it must answer. */
  private record Exchange(
      String title,
      String method,
      String path,
      @Nullable String query,
      @Nullable String body,
      @Nullable String ifMatch,
      boolean authenticated,
      int expected) {}

  /** The examples, as a Markdown section ({@code ## Examples}). */
  static String markdown() {
    StringBuilder text =
        new StringBuilder(
            "\n## Examples\n\n"
                + "Recorded by the build that made this page: each request was sent to the admin API"
                + " over the flags' and browse-only routes on an in-memory store, and the answer is"
                + " shown as it came back (a token `Bearer "
                + TOKEN
                + "`; times are the build's).\n");
    // The clock starts when the build runs, not at a fixed date: the browse-only routes check an
    // ETA against the system clock rather than ReadMode's (reported as a bug in degrade).
    ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.MINUTES));
    String eta = clock.instant().plus(Duration.ofHours(1)).toString();
    try (InMemoryStateStore store = InMemoryStateStore.builder().clock(clock).build();
        Flags flags = Flags.builder(store).clock(clock).build();
        ReadMode readMode = ReadMode.builder(store).clock(clock).build()) {
      AdminApi api =
          AdminApi.builder()
              .writeTokens(List.of(TOKEN))
              .routes(flags.adminRoutes())
              .routes(readMode.adminRoutes())
              .clock(clock)
              .build();
      String created =
          "{\"key\": \"new-checkout\", \"description\": \"The one-page checkout\","
              + " \"fallthrough\": {\"rollout\": {\"percentage\": 10}}}";
      record(
          api,
          text,
          new Exchange("Create a flag", "POST", "/api/v1/flags", null, created, null, true, 201));
      AdminResponse read =
          record(
              api,
              text,
              new Exchange(
                  "Read it: the ETag is its version",
                  "GET",
                  "/api/v1/flags/new-checkout",
                  null,
                  null,
                  null,
                  true,
                  200));
      String etag = read.headers().get("ETag");
      record(
          api,
          text,
          new Exchange(
              "Kill it, if nobody changed it since",
              "PATCH",
              "/api/v1/flags/new-checkout",
              null,
              "{\"enabled\": false}",
              etag,
              true,
              200));
      record(
          api,
          text,
          new Exchange(
              "A change based on what someone else already changed",
              "PATCH",
              "/api/v1/flags/new-checkout",
              null,
              "{\"percentage\": 25}",
              etag,
              true,
              412));
      record(
          api,
          text,
          new Exchange(
              "Why a unit gets what it gets",
              "GET",
              "/api/v1/flags/new-checkout/evaluate",
              "unit=ada&attr=plan:pro",
              null,
              null,
              true,
              200));
      record(
          api,
          text,
          new Exchange(
              "An invalid definition: every problem named, nothing changed",
              "POST",
              "/api/v1/flags",
              null,
              "{\"key\": \"gift-cards\", \"fallthrough\": {\"rollout\": {\"percentage\": 140}}}",
              null,
              true,
              400));
      record(
          api,
          text,
          new Exchange(
              "Browse-only for a maintenance window",
              "PUT",
              "/api/v1/read-mode/reasons/db-upgrade",
              null,
              "{\"kind\": \"maintenance\", \"message\": \"Database upgrade\", \"eta\": \""
                  + eta
                  + "\"}",
              null,
              true,
              200));
      record(
          api,
          text,
          new Exchange(
              "The mode and its reasons", "GET", "/api/v1/read-mode", null, null, null, true, 200));
      record(
          api,
          text,
          new Exchange("Without a token", "GET", "/api/v1/flags", null, null, null, false, 401));
    }
    return text.toString();
  }

  private static AdminResponse record(AdminApi api, StringBuilder text, Exchange exchange) {
    AdminRequest.Builder request =
        AdminRequest.builder(exchange.method(), exchange.path()).rawQuery(exchange.query());
    List<String> shown = new ArrayList<>();
    shown.add(
        exchange.method()
            + " "
            + exchange.path()
            + (exchange.query() == null ? "" : "?" + exchange.query()));
    if (exchange.authenticated()) {
      request.header("Authorization", "Bearer " + TOKEN);
      shown.add("Authorization: Bearer " + TOKEN);
    }
    if (exchange.ifMatch() != null) {
      request.header("If-Match", exchange.ifMatch());
      shown.add("If-Match: " + exchange.ifMatch());
    }
    if (exchange.body() != null) {
      request.header("Content-Type", "application/json").body(exchange.body());
      shown.add("Content-Type: application/json");
    }
    AdminResponse response = api.handle(request.build());
    String body = new String(response.body(), StandardCharsets.UTF_8);
    if (response.status() != exchange.expected()) {
      throw new IllegalStateException(
          "the admin API example '"
              + exchange.title()
              + "' answered "
              + response.status()
              + " where the reference says "
              + exchange.expected()
              + ": "
              + body);
    }
    text.append("\n### ").append(exchange.title()).append("\n\n```http\n");
    shown.forEach(line -> text.append(line).append('\n'));
    if (exchange.body() != null) {
      text.append('\n').append(pretty(JsonCodec.standard().decode(exchange.body(), Object.class)));
      text.append('\n');
    }
    text.append("```\n\n```http\n").append(response.status());
    if (!response.contentType().isEmpty()) {
      text.append("\nContent-Type: ").append(response.contentType());
    }
    for (String header : SHOWN_HEADERS) {
      String value = response.headers().get(header);
      if (value != null) {
        text.append('\n').append(header).append(": ").append(value);
      }
    }
    text.append('\n');
    if (!body.isBlank() && response.contentType().contains("json")) {
      text.append('\n').append(pretty(JsonCodec.standard().decode(body, Object.class)));
      text.append('\n');
    }
    text.append("```\n");
    return response;
  }

  /** JSON, two spaces an indent level, short arrays of scalars on one line. */
  static String pretty(@Nullable Object value) {
    StringBuilder out = new StringBuilder();
    pretty(value, "", out);
    return out.toString();
  }

  private static void pretty(@Nullable Object value, String indent, StringBuilder out) {
    if (value instanceof Map<?, ?> map && !map.isEmpty()) {
      out.append("{\n");
      int i = 0;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        out.append(indent).append("  ").append(JsonCodec.standard().encodeToString(entry.getKey()));
        out.append(": ");
        pretty(entry.getValue(), indent + "  ", out);
        out.append(++i < map.size() ? ",\n" : "\n");
      }
      out.append(indent).append('}');
    } else if (value instanceof List<?> list
        && !list.isEmpty()
        && list.stream().anyMatch(item -> item instanceof Map || item instanceof List)) {
      out.append("[\n");
      for (int i = 0; i < list.size(); i++) {
        out.append(indent).append("  ");
        pretty(list.get(i), indent + "  ", out);
        out.append(i + 1 < list.size() ? ",\n" : "\n");
      }
      out.append(indent).append(']');
    } else {
      out.append(value == null ? "null" : JsonCodec.standard().encodeToString(value));
    }
  }
}
