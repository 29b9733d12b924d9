package dev.brownout.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What sessions do on a real servlet container, two servers sharing one store. Each store's test
 * class extends this with its own store clients.
 */
abstract class SessionContract {
  final List<AutoCloseable> closing = new ArrayList<>();

  /** A new client of the shared store, as a second server would have. */
  abstract StateStore client();

  /** How many concurrent pairs the lost-update test runs. */
  int pairs() {
    return 1000;
  }

  Sessions sessions(BrownoutConfig config) {
    Sessions sessions = Sessions.builder(client()).config(config).build();
    closing.add(0, sessions);
    return sessions;
  }

  SessionServer server(BrownoutConfig config) {
    SessionServer server = new SessionServer(sessions(config));
    closing.add(0, server);
    return server;
  }

  SessionServer server() {
    return server(config().build());
  }

  static BrownoutConfig.Builder config() {
    return BrownoutConfig.builder().declare(SessionConfig.keys());
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  Optional<StateRecord> raw(String id) {
    StateStore store = client();
    closing.add(store);
    return store.read(SessionRepository.SESSIONS, SessionIds.key(id));
  }

  @Test
  void concurrentRequestsOnTwoServersChangingDifferentAttributesLoseNothing() throws Exception {
    assertConcurrentRequestsLoseNothing(config().build());
  }

  /**
   * {@link #pairs()} pairs of requests, on two servers at once, each changing an attribute of its
   * own in one of ten sessions; then every attribute must be there. The first server is asked until
   * it has seen them all (at most five seconds), as a near cache learns of the second server's
   * saves a moment later; a lost attribute never appears.
   */
  void assertConcurrentRequestsLoseNothing(BrownoutConfig config) throws Exception {
    SessionServer first = server(config);
    SessionServer second = server(config);
    int sessionsCount = 10;
    List<String> ids = new ArrayList<>();
    for (int s = 0; s < sessionsCount; s++) {
      ids.add(first.get("", null).newId().orElseThrow());
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < pairs(); i++) {
        String id = ids.get(i % sessionsCount);
        int n = i;
        statuses.add(pool.submit(() -> first.get("set=a" + n + ":" + n, id).status()));
        statuses.add(pool.submit(() -> second.get("set=b" + n + ":" + n, id).status()));
      }
      for (Future<Integer> status : statuses) {
        assertThat(status.get()).isEqualTo(200);
      }
    } finally {
      pool.shutdown();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    Set<String> missing;
    do {
      Set<String> lines = new HashSet<>();
      for (String id : ids) {
        lines.addAll(List.of(first.get("peek", id).body().split("\n")));
      }
      missing = new HashSet<>();
      for (int i = 0; i < pairs(); i++) {
        for (String prefix : List.of("a", "b")) {
          if (!lines.contains(prefix + i + "=" + i)) {
            missing.add(prefix + i);
          }
        }
      }
    } while (!missing.isEmpty() && System.nanoTime() < deadline);
    assertThat(missing).as("attributes lost").isEmpty();
  }

  @Test
  void anInvalidationRacingASaveNeverLeavesAHalfSession() throws Exception {
    SessionServer first = server();
    SessionServer second = server();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int i = 0; i < 100; i++) {
        String id = first.get("set=user:ada", null).newId().orElseThrow();
        Future<SessionServer.Reply> invalidate = pool.submit(() -> first.get("invalidate", id));
        Future<SessionServer.Reply> save = pool.submit(() -> second.get("set=cart:" + 1, id));
        assertThat(invalidate.get().status()).isEqualTo(200);
        // A save that lost the race is refused (409), never answered 200 without being saved.
        assertThat(save.get().status()).isIn(200, 409);
        Optional<StateRecord> left = raw(id);
        // Either gone, or whole: never a record of attributes without its session metadata.
        left.ifPresent(
            record ->
                assertThat(record.fieldNames())
                    .as("record left for %s", id)
                    .contains(SessionData.CREATED, SessionData.ACCESSED, SessionData.MAX_INACTIVE));
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void rotationKeepsTheDataAndExpiryAndKillsTheOldId() {
    SessionServer first = server();
    SessionServer second = server();
    String old = first.get("set=cart:3+items", null).newId().orElseThrow();
    byte[] oldSecret = raw(old).orElseThrow().field(SessionData.SECRET).orElseThrow();
    SessionServer.Reply rotated = first.get("rotate", old);
    String fresh = rotated.newId().orElseThrow();

    assertThat(rotated.setCookies()).hasSize(1);
    assertThat(fresh).isNotEqualTo(old);
    assertThat(second.get("peek", fresh).body()).isEqualTo("cart=3 items");
    assertThat(second.get("peek", old).body()).isEqualTo("none");
    assertThat(first.get("peek", old).body()).isEqualTo("none");
    // One record, its secret replaced in place: the old id's secret no longer opens it.
    StateRecord record = raw(fresh).orElseThrow();
    assertThat(SessionIds.key(fresh)).isEqualTo(SessionIds.key(old));
    assertThat(record.field(SessionData.SECRET).orElseThrow()).isNotEqualTo(oldSecret);
    assertThat(record.expiresAt()).isPresent();
    // The store never holds the secret itself.
    assertThat(
            new String(record.field(SessionData.SECRET).orElseThrow(), StandardCharsets.ISO_8859_1))
        .doesNotContain(SessionIds.secret(fresh));
  }

  @Test
  void theCookieIsHttpOnlyLaxAndSecureOnlyOverHttps() {
    SessionServer server = server();
    String plain = server.get("", null).setCookies().get(0);
    assertThat(plain)
        .matches(
            "SESSION=[A-Za-z0-9_-]{27}\\.[A-Za-z0-9_-]{22}; Path=/app/; HttpOnly; SameSite=Lax")
        .doesNotContain("Secure");

    String secure =
        server.send("", null, List.of("X-Forwarded-Proto", "https")).setCookies().get(0);
    assertThat(secure).contains("; Secure").contains("HttpOnly").contains("SameSite=Lax");
  }

  @Test
  void malformedAndUnknownIdsGetAFreshSessionAndNothingElse() {
    SessionServer server = server();
    String real = server.get("set=secret:1", null).newId().orElseThrow();
    for (String cookie :
        List.of("SESSION=nope", "SESSION=" + real + "x", "SESSION=", "SESSION=" + "A".repeat(27))) {
      SessionServer.Reply reply = server.send("", cookie, List.of());
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEmpty();
      assertThat(reply.newId()).isPresent().get().isNotEqualTo(real);
    }
    assertThat(server.get("peek", real).body()).isEqualTo("secret=1");
  }

  @Test
  void aSessionIsSavedBeforeTheResponseCommitsAndAgainIfItChangesAfter() {
    SessionServer server = server();
    String id = server.get("set=before:1&big", null).newId().orElseThrow();
    assertThat(server.get("peek", id).body()).isEqualTo("after-commit=late\nbefore=1");
  }

  /** Creation times order a principal's sessions; they are in milliseconds. */
  static void pause() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void theCapHoldsWhenOneUserSignsInOnManyServersAtOnce() throws Exception {
    BrownoutConfig capped = config().set(SessionConfig.MAX_SESSIONS_PER_PRINCIPAL, 2).build();
    Sessions sessions = sessions(capped);
    List<SessionServer> servers =
        List.of(new SessionServer(sessions), server(capped), server(capped), server(capped));
    closing.add(0, servers.get(0));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> logins = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        SessionServer server = servers.get(i % servers.size());
        logins.add(pool.submit(() -> server.get("login=grace", null).status()));
      }
      for (Future<Integer> login : logins) {
        assertThat(login.get()).isEqualTo(200);
      }
    } finally {
      pool.shutdown();
    }
    assertThat(sessions.repository().sessionsOf("grace")).hasSizeLessThanOrEqualTo(2);
  }

  @Test
  void aPrincipalsSessionsAreListedCappedAndSignedOutEverywhere() {
    Sessions sessions = sessions(config().set(SessionConfig.MAX_SESSIONS_PER_PRINCIPAL, 2).build());
    SessionServer server = new SessionServer(sessions);
    closing.add(0, server);
    String phone = server.get("login=ada", null).newId().orElseThrow();
    pause();
    String laptop = server.get("login=ada", null).newId().orElseThrow();
    assertThat(sessions.repository().sessionsOf("ada"))
        .extracting(SessionInfo::id)
        .containsExactly(SessionIds.key(phone), SessionIds.key(laptop));

    pause();
    String tablet = server.get("login=ada", null).newId().orElseThrow();
    assertThat(sessions.repository().sessionsOf("ada"))
        .extracting(SessionInfo::id)
        .containsExactlyInAnyOrder(SessionIds.key(laptop), SessionIds.key(tablet));
    assertThat(server.get("peek", phone).body()).isEqualTo("none");

    assertThat(sessions.repository().invalidateAll("ada")).isEqualTo(2);
    assertThat(server.get("peek", laptop).body()).isEqualTo("none");
    assertThat(server.get("peek", tablet).body()).isEqualTo("none");
  }
}
