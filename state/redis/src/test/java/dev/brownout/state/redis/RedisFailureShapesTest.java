package dev.brownout.state.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.state.Namespace;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.testservers.Await;
import dev.brownout.state.testservers.FaultProxy;
import dev.brownout.state.testservers.RedisProcess;
import dev.brownout.state.testservers.RedisTestServer;
import io.lettuce.core.SocketOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failure shapes beyond the contract's: many callers while Redis hangs at start-up, a frozen server
 * process, and the settings that bound the time (keepalive, the durability wait).
 */
class RedisFailureShapesTest {
  static final Duration TIMEOUT = Duration.ofMillis(500);
  static RedisTestServer server;

  @BeforeAll
  static void start() {
    server = new RedisTestServer();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void concurrentCallersWhileRedisHangsAtStartUpEachWaitAboutOneTimeout() throws Exception {
    // A black hole answers nothing, not even the connection handshake: every connect attempt
    // takes the whole timeout. Callers must share one attempt, not queue behind each other's.
    int callers = 8;
    try (FaultProxy proxy = FaultProxy.to(server.port()).blackHole();
        RedisStateStore store =
            RedisStateStore.builder()
                .uri(proxy.uri("redis"))
                .timeout(TIMEOUT)
                .connectLazily()
                .build()) {
      ExecutorService pool = Executors.newFixedThreadPool(callers);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Long>> waits = new ArrayList<>();
      try {
        for (int i = 0; i < callers; i++) {
          waits.add(
              pool.submit(
                  () -> {
                    go.await();
                    long start = System.nanoTime();
                    assertThatThrownBy(() -> store.read(Namespace.large("hung"), "k"))
                        .isInstanceOf(StateUnavailableException.class)
                        .hasMessageContaining("within " + TIMEOUT);
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                  }));
        }
        go.countDown();
        long longest = 0;
        for (Future<Long> wait : waits) {
          longest = Math.max(longest, wait.get(60, TimeUnit.SECONDS));
        }
        Failover.figure(
            callers
                + " callers while Redis hangs at start-up, "
                + TIMEOUT.toMillis()
                + " ms timeout: the longest waited "
                + longest
                + " ms");
        // Serialised connects would make the last caller wait callers x timeout (4 s).
        assertThat(longest)
            .as("the longest wait of %d concurrent callers", callers)
            .isLessThan(TIMEOUT.toMillis() * 2 + 1000);
      } finally {
        pool.shutdownNow();
      }
      proxy.heal();
      Await.until(
          "the store to connect once Redis answers",
          () -> {
            try {
              store.update(Namespace.large("hung"), "k", Update.builder().set("a", "1").build());
              return true;
            } catch (StateUnavailableException e) {
              return false;
            }
          });
    }
  }

  @Test
  void aFrozenServerGivesStateUnavailableWithinTheTimeoutAndServiceResumes() throws Exception {
    // SIGSTOP: the process keeps its sockets open and answers nothing, as a hung server does.
    try (RedisProcess frozen =
            new RedisProcess(
                RedisTestServer.freePort(),
                Files.createTempDirectory("brownout-frozen"),
                List.of("save \"\"", "appendonly no"));
        RedisStateStore store =
            RedisStateStore.builder()
                .uri("redis://127.0.0.1:" + frozen.port())
                .timeout(TIMEOUT)
                .build()) {
      Namespace ns = Namespace.large("frozen");
      store.update(ns, "k", Update.builder().set("a", "1").build());

      frozen.pause();
      try {
        for (int i = 0; i < 3; i++) {
          long start = System.nanoTime();
          assertThatThrownBy(() -> store.read(ns, "k"))
              .isInstanceOf(StateUnavailableException.class);
          assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
              .as("a call on a frozen server")
              .isLessThan(TIMEOUT.toMillis() * 2 + 1000);
        }
      } finally {
        frozen.resume();
      }

      Await.until(
          "the store to answer once the server runs again",
          () -> {
            try {
              return store.read(ns, "k").isPresent();
            } catch (StateUnavailableException e) {
              return false;
            }
          });
    }
  }

  @Test
  void idleConnectionsAreProbedAsTheKeepaliveSettingSays() {
    SocketOptions options =
        RedisConnection.socketOptions(Duration.ofSeconds(2), Duration.ofSeconds(30));

    assertThat(options.isKeepAlive()).isTrue();
    assertThat(options.getKeepAlive().getIdle()).isEqualTo(Duration.ofSeconds(30));
    assertThat(options.getKeepAlive().getInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(options.getKeepAlive().getCount()).isEqualTo(3);
    assertThat(options.getConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
    // TCP counts keepalive in whole seconds: a shorter setting probes after one.
    assertThat(
            RedisConnection.socketOptions(TIMEOUT, Duration.ofMillis(300)).getKeepAlive().getIdle())
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aDurableWriteWithoutEnoughReplicasFailsNamingTheSetting() {
    // This server has no replica: a write that must reach one cannot be acknowledged.
    try (RedisStateStore store =
        RedisStateStore.builder()
            .uri(server.uri())
            .timeout(TIMEOUT)
            .durability(1, Duration.ofMillis(100))
            .build()) {
      Namespace flags = Namespace.small("durable-flags");
      assertThatThrownBy(() -> store.update(flags, "f", Update.builder().set("on", "1").build()))
          .isInstanceOf(StateUnavailableException.class)
          .hasMessageContaining("only 0 of the 1 replicas")
          .hasMessageContaining("brownout.state.redis.durability.replicas");
      // The primary has it: the write was made, only not replicated.
      assertThat(store.read(flags, "f")).isPresent();
      // Sessions (a large namespace) do not wait unless durability.namespaces says all.
      store.update(Namespace.large("sessions"), "s", Update.builder().set("a", "1").build());
    }
    try (RedisStateStore all =
        RedisStateStore.builder()
            .uri(server.uri())
            .timeout(TIMEOUT)
            .durability(1, Duration.ofMillis(100))
            .durableNamespaces(RedisConfig.DurableNamespaces.ALL)
            .build()) {
      assertThatThrownBy(
              () ->
                  all.update(
                      Namespace.large("sessions"), "s", Update.builder().set("a", "2").build()))
          .isInstanceOf(StateUnavailableException.class);
    }
  }

  @Test
  void aDurabilityWaitAsLongAsTheTimeoutIsRefusedNamingBothSettings() {
    assertThatThrownBy(
            () ->
                RedisStateStore.builder()
                    .uri(server.uri())
                    .timeout(TIMEOUT)
                    .durability(1, TIMEOUT)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("brownout.state.redis.durability.timeout = 500ms")
        .hasMessageContaining("must be shorter than brownout.state.redis.timeout = 500ms");
  }

  @Test
  void theSameSettingsFromAPropertiesFileDoTheSame(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("brownout.properties");
    Files.writeString(
        file,
        "brownout.state.redis.uri="
            + server.uri()
            + "\nbrownout.state.redis.timeout=500ms"
            + "\nbrownout.state.redis.durability.replicas=1"
            + "\nbrownout.state.redis.durability.timeout=100ms\n");
    BrownoutConfig config = BrownoutConfig.builder().propertiesFile(file).build();
    try (RedisStateStore store = RedisStateStore.connect(config)) {
      assertThatThrownBy(
              () ->
                  store.update(Namespace.small("cfg"), "f", Update.builder().set("a", "1").build()))
          .isInstanceOf(StateUnavailableException.class)
          .hasMessageContaining("only 0 of the 1 replicas");
    }

    Files.writeString(
        file,
        "brownout.state.redis.uri="
            + server.uri()
            + "\nbrownout.state.redis.timeout=500ms"
            + "\nbrownout.state.redis.durability.replicas=1"
            + "\nbrownout.state.redis.durability.timeout=2s\n");
    BrownoutConfig tooLong = BrownoutConfig.builder().propertiesFile(file).build();
    assertThatThrownBy(() -> RedisStateStore.connect(tooLong))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("brownout.state.redis.durability.timeout = 2s (from file")
        .hasMessageContaining("brownout.state.redis.timeout = 500ms (from file");
  }
}
