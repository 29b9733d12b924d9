package dev.brownout.state.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.state.Namespace;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.testkit.NetworkFaults;
import dev.brownout.state.testkit.StateStoreContract;
import dev.brownout.state.testservers.FaultProxy;
import dev.brownout.state.testservers.RedisProcess;
import dev.brownout.state.testservers.RedisTestServer;
import dev.brownout.state.testservers.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The contract over TLS with ACLs: a redis-server that listens on a TLS port only, checks client
 * certificates ({@code tls-auth-clients yes}), has its default user switched off, and lets one ACL
 * user reach Brownout's keys. The embedded binary is built with TLS; one named by {@code
 * BROWNOUT_REDIS_BINARY} may not be, and then this class is skipped, or fails if {@code
 * BROWNOUT_REQUIRE_TLS_REDIS} is set (as CI sets it, so TLS is never silently untested).
 */
class RedisTlsAclStateStoreTest extends StateStoreContract {
  static final Duration TIMEOUT = Duration.ofMillis(1500);
  static final String USER = "brownout-app";
  static final String PASSWORD = "s3cret-for-tests";
  static final Duration KEEPALIVE = Duration.ofMillis(500);
  private static TestCertificates certs;
  private static RedisProcess server;
  private static FaultProxy proxy;

  static synchronized RedisProcess server() {
    if (server == null) {
      if (!RedisProcess.supportsTls()) {
        String required = System.getenv("BROWNOUT_REQUIRE_TLS_REDIS");
        if (required != null && !required.isBlank() && !required.equals("false")) {
          throw new AssertionError(
              "BROWNOUT_REQUIRE_TLS_REDIS is set but "
                  + RedisProcess.binary()
                  + " was built without TLS; name one built with TLS in BROWNOUT_REDIS_BINARY");
        }
        Assumptions.abort(RedisProcess.binary() + " was built without TLS");
      }
      try {
        Path dir = Files.createTempDirectory("brownout-redis-tls");
        certs = TestCertificates.create(dir.resolve("certs"));
        int port = RedisTestServer.freePort();
        server =
            new RedisProcess(
                port,
                dir.resolve("server"),
                List.of(
                    "port 0",
                    "tls-port " + port,
                    "tls-cert-file " + certs.serverCertificate(),
                    "tls-key-file " + certs.serverKey(),
                    "tls-ca-cert-file " + certs.caCertificate(),
                    "tls-auth-clients yes",
                    "user default off",
                    "user " + USER + " on >" + PASSWORD + " ~brownout:* &* +@all",
                    "save \"\"",
                    "appendonly no"),
                false);
        proxy = FaultProxy.to(port);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return server;
  }

  /**
   * After the JUnit tests, and again after jqwik's property (its engine runs after JUnit's and
   * starts the servers again on first use).
   */
  @AfterAll
  @AfterContainer
  static void stopAfterAll() {
    if (server != null) {
      if (proxy != null) {
        proxy.close();
        proxy = null;
      }
      server.close();
      server = null;
    }
  }

  static RedisStateStore.Builder secured() {
    return RedisStateStore.builder()
        .uri("rediss://localhost:" + server().port())
        .timeout(TIMEOUT)
        .credentials(USER, PASSWORD)
        .truststore(certs.caCertificate())
        .keystore(certs.clientKeystore(), TestCertificates.PASSWORD);
  }

  /**
   * The contract's clients connect through a TCP proxy, so the outage tests can break the network
   * under TLS too: the handshake and the encrypted bytes pass through it unchanged.
   */
  @Override
  protected StateStore openStore() {
    server();
    return secured().uri("rediss://localhost:" + proxy.port()).keepalive(KEEPALIVE).build();
  }

  @Override
  protected Optional<NetworkFaults> networkFaults() {
    server();
    return Optional.of(new ProxiedNetwork(proxy));
  }

  @Override
  protected boolean canStopServer() {
    return true;
  }

  @Override
  protected void stopServer() {
    server().kill();
  }

  @Override
  protected void startServer() {
    server().start();
  }

  @Override
  protected Duration operationTimeout() {
    return TIMEOUT;
  }

  @Test
  void aKeystoreTruststoreFromConfigTooAndAPKCS12Truststore() {
    try (RedisStateStore store =
        RedisStateStore.builder()
            .uri("rediss://127.0.0.1:" + server().port())
            .timeout(TIMEOUT)
            .credentials(USER, PASSWORD)
            .truststore(certs.truststore(), TestCertificates.PASSWORD)
            .keystore(certs.clientKeystore(), TestCertificates.PASSWORD)
            .build()) {
      Namespace ns = Namespace.large("tls");
      store.update(ns, "k", Update.builder().set("a", "1").build());
      assertThat(store.read(ns, "k")).isPresent();
    }
  }

  @Test
  void aClientWithoutItsCertificateIsRefused() {
    assertThatThrownBy(
            () ->
                RedisStateStore.builder()
                    .uri("rediss://localhost:" + server().port())
                    .timeout(TIMEOUT)
                    .credentials(USER, PASSWORD)
                    .truststore(certs.caCertificate())
                    .build())
        .isInstanceOf(StateUnavailableException.class)
        .hasMessageContaining("localhost:" + server().port());
  }

  @Test
  void aServerTheClientDoesNotTrustIsRefused() {
    // The JVM's own trust store does not know the test authority.
    assertThatThrownBy(
            () ->
                RedisStateStore.builder()
                    .uri("rediss://localhost:" + server().port())
                    .timeout(TIMEOUT)
                    .credentials(USER, PASSWORD)
                    .keystore(certs.clientKeystore(), TestCertificates.PASSWORD)
                    .build())
        .isInstanceOf(StateUnavailableException.class);
  }

  @Test
  void aPlainTextClientGetsNoAnswer() {
    assertThatThrownBy(
            () ->
                RedisStateStore.builder()
                    .uri("redis://localhost:" + server().port())
                    .timeout(TIMEOUT)
                    .credentials(USER, PASSWORD)
                    .build())
        .isInstanceOf(StateUnavailableException.class);
  }

  @Test
  void aWrongPasswordIsRefusedWithoutBeingShown() {
    assertThatThrownBy(
            () ->
                RedisStateStore.builder()
                    .uri("rediss://localhost:" + server().port())
                    .timeout(TIMEOUT)
                    .credentials(USER, "not-the-password")
                    .truststore(certs.caCertificate())
                    .keystore(certs.clientKeystore(), TestCertificates.PASSWORD)
                    .build())
        .isInstanceOf(StateUnavailableException.class)
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .doesNotContain("not-the-password")
                    .doesNotContain(PASSWORD));
  }

  @Test
  void theAclUserReachesOnlyBrownoutKeys() {
    // The user may touch brownout:* only; a store writing under another prefix is refused.
    try (RedisStateStore other = secured().keyPrefix("someone-else").build()) {
      assertThatThrownBy(
              () -> other.update(Namespace.large("x"), "k", Update.builder().set("a", "1").build()))
          .isInstanceOf(StateUnavailableException.class)
          .hasMessageContaining("NOPERM");
    }
  }
}
