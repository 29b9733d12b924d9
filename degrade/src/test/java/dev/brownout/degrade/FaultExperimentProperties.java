package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.core.json.JsonCodec;
import dev.brownout.core.time.ManualClock;
import dev.brownout.state.InMemoryStateStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The experiment an operator sends is parsed and checked: any request is either valid, and then
 * starts and round-trips through the stored JSON, or refused with every problem named; any body
 * sent to the admin API gets a 200 or a 4xx that changes nothing, never a 500.
 */
class FaultExperimentProperties {
  static final String WRITE = "write-token-0123456789abcdef";
  static InMemoryStateStore store;
  static FaultInjection faults;
  static AdminApi api;

  @BeforeContainer
  static void start() {
    ManualClock clock = new ManualClock(Instant.now());
    store = InMemoryStateStore.builder().clock(clock).build();
    faults =
        FaultInjection.builder(store)
            .enabled(true)
            .clock(clock)
            .refreshInterval(Duration.ofMinutes(10))
            .build();
    api =
        AdminApi.builder()
            .authenticator(BearerTokenAuthenticator.builder().writeToken("ops", WRITE).build())
            .auditSink(new InMemoryAuditSink(10))
            .routes(faults.adminRoutes())
            .build();
  }

  @AfterContainer
  static void stop() {
    faults.close();
    store.close();
  }

  @Provide
  Arbitrary<FaultExperiment.Request> requests() {
    Arbitrary<String> fault =
        Arbitraries.oneOf(
            Arbitraries.of("latency", "exception", "connection", "LATENCY", "crash", ""),
            Arbitraries.strings().ofMaxLength(8));
    Arbitrary<Long> latency = Arbitraries.longs().between(-10, 100_000).injectNull(0.3);
    Arbitrary<List<String>> patterns =
        Arbitraries.oneOf(
                Arbitraries.of("*", "Payments.*", "sessions", "", " "),
                Arbitraries.strings().ofMaxLength(6))
            .injectNull(0.05)
            .list()
            .ofMaxSize(3)
            .injectNull(0.3);
    Arbitrary<Double> percentage =
        Arbitraries.oneOf(
                Arbitraries.doubles().between(-50, 150),
                Arbitraries.of(0.0, 100.0, Double.NaN, Double.POSITIVE_INFINITY))
            .injectNull(0.3);
    Arbitrary<Duration> duration =
        Arbitraries.longs().between(-5, 10_000).map(Duration::ofSeconds).injectNull(0.2);
    return net.jqwik.api.Combinators.combine(
            fault, latency, patterns, patterns, percentage, patterns, patterns, duration)
        .as(FaultExperiment.Request::new);
  }

  @Property(tries = 500)
  void anyRequestIsValidOrRefusedWithItsProblemsNamed(
      @ForAll("requests") FaultExperiment.Request request) {
    List<String> problems = request.problems(Duration.ofHours(1), Duration.ofSeconds(30), false);
    if (!problems.isEmpty()) {
      assertThat(problems).allSatisfy(p -> assertThat(p).isNotBlank());
      return;
    }
    FaultExperiment experiment = request.start("e", Instant.EPOCH, "ops");
    assertThat(experiment.endsAt()).isAfter(experiment.startedAt());
    assertThat(experiment.percentage()).isBetween(0.0, 100.0).isPositive();
    JsonCodec codec = JsonCodec.standard();
    assertThat(codec.decode(codec.encode(experiment), FaultExperiment.class)).isEqualTo(experiment);
  }

  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<String> value =
        Arbitraries.oneOf(
            Arbitraries.of(
                "null",
                "1",
                "-1",
                "1e400",
                "\"PT1M\"",
                "\"P1D\"",
                "\"x\"",
                "[]",
                "[\"*\"]",
                "[null]",
                "{}",
                "true",
                "\"exception\"",
                "[\"\"]"),
            Arbitraries.strings().ofMaxLength(5).map(s -> "\"" + s.replace("\"", "") + "\""));
    Arbitrary<String> key =
        Arbitraries.of(
            "fault",
            "latencyMillis",
            "calls",
            "stores",
            "percentage",
            "units",
            "segments",
            "duration",
            "other");
    Arbitrary<String> member =
        net.jqwik.api.Combinators.combine(key, value).as((k, v) -> "\"" + k + "\":" + v);
    return Arbitraries.oneOf(
        member.list().ofMaxSize(6).map(m -> "{" + String.join(",", m) + "}"),
        Arbitraries.strings().ofMaxLength(20));
  }

  @Property(tries = 300)
  void anyBodyGetsAnAnswerNeverAServerError(@ForAll("bodies") String body) {
    List<String> before = ids();
    AdminResponse response =
        api.handle(
            AdminRequest.builder("PUT", "/api/v1/faults/p")
                .header("Authorization", "Bearer " + WRITE)
                .header("Content-Type", "application/json")
                .body(body)
                .build());
    assertThat(response.status())
        .as(new String(response.body(), StandardCharsets.UTF_8))
        .isIn(200, 400, 409);
    if (response.status() == 200) {
      assertThat(ids()).contains("p");
      faults.stop("p", java.util.OptionalLong.empty());
    } else {
      assertThat(ids()).isEqualTo(before);
    }
  }

  static List<String> ids() {
    List<String> ids = new ArrayList<>();
    for (var stored : faults.stored()) {
      ids.add(stored.experiment().id());
    }
    return ids;
  }
}
