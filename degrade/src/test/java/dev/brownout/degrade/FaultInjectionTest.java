package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AdminRequest;
import dev.brownout.core.admin.AdminResponse;
import dev.brownout.core.admin.AuditRecord;
import dev.brownout.core.admin.BearerTokenAuthenticator;
import dev.brownout.core.admin.InMemoryAuditSink;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.ManualClock;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.Namespace;
import dev.brownout.state.StateException;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

/** Game days on one server: refused unless enabled, validated, injected, targeted, expiring. */
class FaultInjectionTest {
  static final String WRITE = "write-token-0123456789abcdef";

  final ManualClock clock = new ManualClock(Instant.now());
  final InMemoryStateStore store = InMemoryStateStore.builder().clock(clock).build();
  final InMemoryAuditSink audit = new InMemoryAuditSink(100);
  final List<AutoCloseable> closing = new ArrayList<>();
  @TempDir Path dir;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    store.close();
  }

  public interface Payments {
    String charge(String booking) throws IOException;

    String refund(String booking);
  }

  static final class Provider implements Payments {
    @Override
    public String charge(String booking) {
      return "charged " + booking;
    }

    @Override
    public String refund(String booking) {
      return "refunded " + booking;
    }
  }

  FaultInjection faults(boolean enabled) {
    FaultInjection faults =
        FaultInjection.builder(store)
            .enabled(enabled)
            .clock(clock)
            .auditSink(audit)
            .refreshInterval(Duration.ofMinutes(10))
            .build();
    closing.add(0, faults);
    return faults;
  }

  AdminApi admin(FaultInjection faults) {
    return AdminApi.builder()
        .authenticator(BearerTokenAuthenticator.builder().writeToken("ops", WRITE).build())
        .auditSink(audit)
        .clock(clock)
        .routes(faults.adminRoutes())
        .build();
  }

  static AdminResponse call(AdminApi api, String method, String path, String body) {
    AdminRequest.Builder request =
        AdminRequest.builder(method, path).header("Authorization", "Bearer " + WRITE);
    if (body != null) {
      request.body(body).header("Content-Type", "application/json");
    }
    return api.handle(request.build());
  }

  static String text(AdminResponse response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  Payments proxy(FaultInjection faults) {
    return GuardedProxies.builder()
        .add(faults.guards())
        .build()
        .proxy(Payments.class, new Provider());
  }

  @Test
  void anExpiryRecordStillQueuedWhenFaultInjectionClosesIsDeliveredNotDropped() {
    BufferedAuditSinkTest.SlowToStartSink sink = new BufferedAuditSinkTest.SlowToStartSink(2);
    FaultInjection faults =
        FaultInjection.builder(store)
            .enabled(true)
            .clock(clock)
            .auditSink(sink)
            .refreshInterval(Duration.ofMinutes(10))
            .build();
    closing.add(0, faults);
    AdminResponse started =
        call(
            admin(faults),
            "PUT",
            "/api/v1/faults/brief",
            "{\"fault\":\"exception\",\"calls\":[\"*\"],\"duration\":\"PT30S\"}");
    assertThat(started.status()).isEqualTo(200);
    clock.advance(Duration.ofSeconds(30));
    faults.refresh();
    assertThat(store.list(FaultInjection.NAMESPACE)).as("expired and removed").isEmpty();

    faults.close();
    assertThat(sink.taken)
        .extracting(AuditRecord::action, AuditRecord::target)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("faults.expire", "fault/brief"));
  }

  @Test
  void offByDefaultNothingIsInstalledAndTheAdminApiRefusesToStartAnything() throws Exception {
    FaultInjection faults = faults(false);
    assertThat(faults.enabled()).isFalse();
    assertThat(faults.wrap(store, "sessions")).isSameAs(store);
    AdminApi api = admin(faults);
    AdminResponse refused =
        call(
            api,
            "PUT",
            "/api/v1/faults/payments-down",
            "{\"fault\":\"exception\",\"calls\":[\"*\"],\"duration\":\"PT10M\"}");
    assertThat(refused.status()).isEqualTo(409);
    assertThat(text(refused)).contains("faults-disabled", "brownout.degrade.faults.enabled=true");
    assertThat(store.list(FaultInjection.NAMESPACE)).isEmpty();
    assertThat(audit.recent(10)).isEmpty();
    assertThat(text(call(api, "GET", "/api/v1/faults", null))).contains("\"enabled\":false");
    assertThat(proxy(faults).refund("b1")).isEqualTo("refunded b1");
    assertThatThrownBy(
            () ->
                faults.start(
                    "x",
                    new FaultExperiment.Request(
                        "exception",
                        null,
                        List.of("*"),
                        null,
                        null,
                        null,
                        null,
                        Duration.ofMinutes(1)),
                    "ops",
                    java.util.OptionalLong.empty()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fault injection is off");
  }

  @Test
  void enabledFromAPropertiesFileAsFromTheTypedSetter() throws Exception {
    Path file = dir.resolve("brownout.properties");
    Files.writeString(
        file, "brownout.degrade.faults.enabled=true\nbrownout.degrade.faults.max-duration=PT5M\n");
    BrownoutConfig config = BrownoutConfig.builder().propertiesFile(file).build();
    FaultInjection configured = FaultInjection.builder(store).config(config).clock(clock).build();
    closing.add(0, configured);
    assertThat(configured.enabled()).isTrue();
    assertThat(configured.maxDuration()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void aBadExperimentIsRefusedWholeListingEveryProblem() {
    AdminApi api = admin(faults(true));
    AdminResponse bad =
        call(
            api,
            "PUT",
            "/api/v1/faults/slow",
            "{\"fault\":\"latency\",\"latencyMillis\":600000,\"percentage\":140,"
                + "\"segments\":[\"beta\"],\"duration\":\"PT48H\"}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(text(bad))
        .contains(
            "latencyMillis must be at most 30000",
            "name what to target",
            "percentage must be above 0 and at most 100 but was 140",
            "no SegmentMatcher is configured",
            "duration must be at most PT1H");
    AdminResponse unknownField =
        call(
            api,
            "PUT",
            "/api/v1/faults/slow",
            "{\"fault\":\"exception\",\"calls\":[\"*\"],\"duration\":\"PT1M\",\"percent\":5}");
    assertThat(unknownField.status()).isEqualTo(400);
    assertThat(text(unknownField)).contains("percent");
    AdminResponse badId =
        call(
            api,
            "PUT",
            "/api/v1/faults/Bad%20Id",
            "{\"fault\":\"exception\",\"calls\":[\"*\"],\"duration\":\"PT1M\"}");
    assertThat(badId.status()).isEqualTo(400);
    assertThat(store.list(FaultInjection.NAMESPACE)).isEmpty();
    assertThat(audit.recent(10)).isEmpty();
  }

  @Test
  void exceptionsAndRefusedConnectionsReachTheTargetedMethodOnly() throws Exception {
    FaultInjection faults = faults(true);
    AdminApi api = admin(faults);
    Payments payments = proxy(faults);
    assertThat(
            call(
                    api,
                    "PUT",
                    "/api/v1/faults/refunds-fail",
                    "{\"fault\":\"exception\",\"calls\":[\"Payments.refund\"],\"duration\":\"PT10M\"}")
                .status())
        .isEqualTo(200);
    assertThatThrownBy(() -> payments.refund("b1"))
        .isInstanceOf(InjectedFaultException.class)
        .hasMessageContaining("fault-injection experiment 'refunds-fail'");
    assertThat(payments.charge("b1")).isEqualTo("charged b1");

    assertThat(
            call(
                    api,
                    "PUT",
                    "/api/v1/faults/network",
                    "{\"fault\":\"connection\",\"calls\":[\"*.charge\"],\"duration\":\"PT10M\"}")
                .status())
        .isEqualTo(200);
    assertThatThrownBy(() -> payments.charge("b2"))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining("Connection refused");
    assertThat(faults.injectedHere("network")).isEqualTo(1);
    assertThat(text(call(api, "GET", "/api/v1/faults/network", null)))
        .contains("\"injectedHere\":1", "\"active\":true");
  }

  public interface Quotes {
    String quote();
  }

  @Test
  void aConnectionFaultIntoAMethodThatDeclaresNoIoExceptionIsUnchecked() {
    FaultInjection faults = faults(true);
    call(
        admin(faults),
        "PUT",
        "/api/v1/faults/quotes",
        "{\"fault\":\"connection\",\"calls\":[\"Quotes.*\"],\"duration\":\"PT1M\"}");
    Quotes quotes =
        GuardedProxies.builder().add(faults.guards()).build().proxy(Quotes.class, () -> "q");
    assertThatThrownBy(quotes::quote)
        .isInstanceOf(UncheckedIOException.class)
        .hasCauseInstanceOf(ConnectException.class);
  }

  @Test
  void latencyIsAddedBeforeTheRealCall() throws Exception {
    FaultInjection faults = faults(true);
    call(
        admin(faults),
        "PUT",
        "/api/v1/faults/slow",
        "{\"fault\":\"latency\",\"latencyMillis\":50,\"calls\":[\"Payments.charge\"],\"duration\":\"PT1M\"}");
    Payments payments = proxy(faults);
    long start = System.nanoTime();
    assertThat(payments.charge("b")).isEqualTo("charged b");
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(45).toNanos());
  }

  @Test
  void storeCallsFailAsAnUnreachableOrBrokenStoreWouldButTheFaultNamespaceStaysReachable() {
    FaultInjection faults = faults(true);
    AdminApi api = admin(faults);
    StateStore sessions = faults.wrap(store, "sessions");
    Namespace ns = Namespace.large("sessions");
    sessions.update(ns, "s1", Update.builder().set("a", new byte[] {1}).build());
    call(
        api,
        "PUT",
        "/api/v1/faults/store-down",
        "{\"fault\":\"connection\",\"stores\":[\"sessions\"],\"duration\":\"PT1M\"}");
    assertThatThrownBy(() -> sessions.read(ns, "s1"))
        .isInstanceOf(StateUnavailableException.class)
        .hasMessageContaining("store-down");
    assertThat(sessions.list(FaultInjection.NAMESPACE)).hasSize(1);
    StateStore flags = faults.wrap(store, "flags");
    assertThat(flags.read(ns, "s1")).isPresent();
    call(api, "DELETE", "/api/v1/faults/store-down", null);
    call(
        api,
        "PUT",
        "/api/v1/faults/store-broken",
        "{\"fault\":\"exception\",\"stores\":[\"*\"],\"duration\":\"PT1M\"}");
    assertThatThrownBy(() -> flags.read(ns, "s1"))
        .isInstanceOf(StateException.class)
        .isNotInstanceOf(StateUnavailableException.class);
  }

  @Test
  void aPercentageHitsThatShareOfUnitsAndTheSameUnitsEveryTime() {
    FaultInjection faults = faults(true);
    call(
        admin(faults),
        "PUT",
        "/api/v1/faults/some",
        "{\"fault\":\"exception\",\"calls\":[\"*\"],\"percentage\":30,\"duration\":\"PT1M\"}");
    Payments payments = proxy(faults);
    int units = 10_000;
    List<Boolean> first = new ArrayList<>();
    for (int pass = 0; pass < 2; pass++) {
      int hit = 0;
      for (int u = 0; u < units; u++) {
        MDC.put(FaultInjection.UNIT_MDC_KEY, "user-" + u);
        boolean failed;
        try {
          payments.refund("b");
          failed = false;
        } catch (InjectedFaultException e) {
          failed = true;
        } finally {
          MDC.remove(FaultInjection.UNIT_MDC_KEY);
        }
        if (pass == 0) {
          first.add(failed);
        } else {
          assertThat(failed).as("unit %d is sticky", u).isEqualTo(first.get(u));
        }
        hit += failed ? 1 : 0;
      }
      // 3 standard deviations of a binomial share: sqrt(0.3 * 0.7 / 10 000) = 0.46 %.
      assertThat(hit / (double) units).isBetween(0.3 - 0.014, 0.3 + 0.014);
    }
  }

  @Test
  void listedUnitsAndSegmentsLimitAnExperimentAndCallsWithoutAUnitAreSpared() {
    FaultInjection faults =
        FaultInjection.builder(store)
            .enabled(true)
            .clock(clock)
            .segments((segment, unit) -> segment.equals("staff") && unit.startsWith("staff-"))
            .build();
    closing.add(0, faults);
    call(
        admin(faults),
        "PUT",
        "/api/v1/faults/staff-only",
        "{\"fault\":\"exception\",\"calls\":[\"*\"],\"units\":[\"alice\"],\"segments\":[\"staff\"],\"duration\":\"PT1M\"}");
    Payments payments = proxy(faults);
    for (String unit : List.of("alice", "staff-bob")) {
      MDC.put(FaultInjection.UNIT_MDC_KEY, unit);
      assertThatThrownBy(() -> payments.refund("b")).isInstanceOf(InjectedFaultException.class);
    }
    MDC.put(FaultInjection.UNIT_MDC_KEY, "carol");
    assertThat(payments.refund("b")).isEqualTo("refunded b");
    MDC.remove(FaultInjection.UNIT_MDC_KEY);
    assertThat(payments.refund("b")).isEqualTo("refunded b");
  }

  @Test
  void anExperimentEndsAtItsDeclaredTimeAndEveryStartStopAndEndIsAudited() throws Exception {
    BrownoutMetrics metrics = BrownoutMetrics.inMemory();
    FaultInjection faults =
        FaultInjection.builder(store)
            .enabled(true)
            .clock(clock)
            .auditSink(audit)
            .metrics(metrics)
            .build();
    closing.add(0, faults);
    AdminApi api = admin(faults);
    Payments payments = proxy(faults);
    AdminResponse started =
        call(
            api,
            "PUT",
            "/api/v1/faults/brief",
            "{\"fault\":\"exception\",\"calls\":[\"*\"],\"duration\":\"PT30S\"}");
    assertThat(started.status()).isEqualTo(200);
    assertThat(metrics.registry().get("brownout.degrade.faults.active").gauge().value())
        .isEqualTo(1);

    // Replacing a running experiment needs its ETag.
    AdminResponse again =
        call(
            api,
            "PUT",
            "/api/v1/faults/brief",
            "{\"fault\":\"exception\",\"calls\":[\"*\"],\"duration\":\"PT30S\"}");
    assertThat(again.status()).isEqualTo(409);
    assertThat(text(again)).contains("If-Match");

    assertThatThrownBy(() -> payments.refund("b")).isInstanceOf(InjectedFaultException.class);
    clock.advance(Duration.ofSeconds(30));
    assertThat(payments.refund("b")).as("ends on the hot path at once").isEqualTo("refunded b");
    assertThat(metrics.registry().get("brownout.degrade.faults.active").gauge().value()).isZero();
    faults.refresh();
    assertThat(store.list(FaultInjection.NAMESPACE)).isEmpty();
    // The expiry's record goes out through a buffer (flushed every 100 ms) while the admin API's
    // records are written at once, so wait for it before the next experiment's start is audited.
    long expired = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (audit.recent(10).size() < 2 && System.nanoTime() < expired) {
      Thread.sleep(5);
    }
    assertThat(audit.recent(1)).extracting(AuditRecord::action).containsExactly("faults.expire");

    AdminResponse other =
        call(
            api,
            "PUT",
            "/api/v1/faults/other",
            "{\"fault\":\"latency\",\"latencyMillis\":5,\"calls\":[\"*\"],\"duration\":\"PT1M\"}");
    assertThat(call(api, "DELETE", "/api/v1/faults/other", null).status()).isEqualTo(204);
    assertThat(call(api, "DELETE", "/api/v1/faults/other", null).status()).isEqualTo(404);

    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (audit.recent(10).size() < 4 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    List<AuditRecord> records = new ArrayList<>(audit.recent(10));
    java.util.Collections.reverse(records);
    assertThat(records)
        .extracting(AuditRecord::action)
        .containsExactly("faults.start", "faults.expire", "faults.start", "faults.stop");
    assertThat(records.get(0).after()).contains("\"id\":\"brief\"", "\"startedBy\":\"ops\"");
    assertThat(records.get(1).actor()).isEqualTo("brownout");
    assertThat(records.get(1).reason()).contains("PT30S");
    assertThat(records.get(3).before()).contains("\"id\":\"other\"");
    assertThat(records.get(3).after()).isNull();
    assertThat(other.headers()).containsKey("ETag");
    assertThat(
            metrics
                .registry()
                .get("brownout.degrade.faults.injected")
                .tag("experiment", "brief")
                .tag("fault", "exception")
                .counter()
                .count())
        .isEqualTo(1);
  }
}
