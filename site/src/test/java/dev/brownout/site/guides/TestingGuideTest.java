package dev.brownout.site.guides;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.redis.RedisStateStore;
import dev.brownout.state.testservers.Await;
import dev.brownout.state.testservers.FaultProxy;
import dev.brownout.state.testservers.RedisTestServer;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The testing guide's integration tests: a real Redis, two servers, and the fault proxy. */
class TestingGuideTest {
  // tag::redis[]
  static RedisTestServer redis;

  @BeforeAll
  static void startRedis() {
    redis = new RedisTestServer(); // a real redis-server on a free port, nothing kept on disk
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  // end::redis[]

  @Test
  // tag::two-servers[]
  void aFlagKilledOnOneServerIsOffOnTheOther() {
    try (RedisStateStore storeA = RedisStateStore.builder().uri(redis.uri()).build();
        RedisStateStore storeB = RedisStateStore.builder().uri(redis.uri()).build();
        Flags serverA = Flags.builder(storeA).build();
        Flags serverB = Flags.builder(storeB).build()) {
      serverA.admin().create(FlagDefinition.on("new-checkout"));
      Await.until(
          "server B sees the flag", () -> serverB.isEnabled("new-checkout", FlagContext.of("ada")));

      serverA
          .admin()
          .update("new-checkout", f -> f.withEnabled(false), OptionalLong.empty(), false);

      Await.until(
          "server B sees the kill",
          () -> !serverB.isEnabled("new-checkout", FlagContext.of("ada")));
    }
  }

  // end::two-servers[]

  @Test
  // tag::fault-proxy[]
  void withRedisUnreachableFlagsAnswerFromTheirLastSnapshot() {
    try (FaultProxy proxy = FaultProxy.to(redis.port());
        RedisStateStore store =
            RedisStateStore.builder()
                .uri(proxy.uri("redis"))
                .timeout(Duration.ofMillis(300))
                .build();
        Flags flags = Flags.builder(store).refreshInterval(Duration.ofMillis(200)).build()) {
      flags.admin().create(FlagDefinition.on("new-search"));
      Await.until("loaded", () -> flags.isEnabled("new-search", FlagContext.of("ada")));

      proxy.blackHole(); // connections stay open, nothing comes back: the worst kind of outage

      assertThatThrownBy(() -> store.read(Flags.NAMESPACE, "new-search"))
          .isInstanceOf(StateUnavailableException.class); // within the 300 ms timeout, no hang
      assertThat(flags.isEnabled("new-search", FlagContext.of("ada"))).isTrue();
      Await.until("the outage is noticed", () -> !flags.storeAvailable());

      proxy.heal();
      Await.until("the store is back", flags::storeAvailable);
    }
  }
  // end::fault-proxy[]
}
