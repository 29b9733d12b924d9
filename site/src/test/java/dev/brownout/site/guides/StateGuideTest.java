package dev.brownout.site.guides;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AuditSink;
import dev.brownout.core.admin.LogAuditSink;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.core.time.BrownoutClock;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.Namespace;
import dev.brownout.state.NearCache;
import dev.brownout.state.Precondition;
import dev.brownout.state.PreconditionFailedException;
import dev.brownout.state.StateAuditSink;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.Watch;
import dev.brownout.state.WriteResult;
import dev.brownout.state.dynamodb.DynamoDbStateStore;
import dev.brownout.state.redis.RedisStateStore;
import dev.brownout.state.testservers.Await;
import dev.brownout.state.testservers.DynamoDbLocalServer;
import dev.brownout.state.testservers.FaultProxy;
import dev.brownout.state.testservers.RedisTestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The state stores guide: the contract, Redis, DynamoDB, the fault proxy, the near cache. */
class StateGuideTest {
  final List<String> reloaded = new CopyOnWriteArrayList<>();

  void reload(String key) {
    reloaded.add(key);
  }

  @Test
  void theContractOnTheInMemoryStore() {
    byte[] cartBytes = "[\"loft\"]".getBytes(StandardCharsets.UTF_8);
    try (StateStore store = InMemoryStateStore.create()) {
      String id = "session-1";
      store.update(Namespace.large("sessions"), id, Update.builder().set("cart", "[]").build());
      store.update(
          Namespace.small("flags"), "new-checkout", Update.builder().set("on", "1").build());

      // tag::contract[]
      BrownoutClock clock = BrownoutClock.system(); // or a ManualClock in tests
      Namespace flags = Namespace.small("flags"); // listable and watchable
      Namespace sessions = Namespace.large("sessions"); // point operations only, spread out

      WriteResult result =
          store.update(
              sessions,
              id,
              Update.builder()
                  .set("cart", cartBytes)
                  .remove("coupon")
                  .expireAt(clock.instant().plus(Duration.ofMinutes(30)))
                  .precondition(Precondition.present()) // never recreate an invalidated session
                  .build());

      Optional<StateRecord> record = store.read(sessions, id);
      store.delete(sessions, id, Precondition.versionEquals(record.get().version()));
      List<StateRecord> all = store.list(flags);
      Watch watch = store.watch(flags, event -> reload(event.key()));
      // end::contract[]

      assertThat(result.version()).isEqualTo(record.get().version());
      assertThat(store.read(sessions, id)).isEmpty();
      assertThat(all).hasSize(1);
      assertThatThrownBy(
              () ->
                  store.update(
                      sessions,
                      id,
                      Update.builder()
                          .set("cart", "[]")
                          .precondition(Precondition.present())
                          .build()))
          .isInstanceOf(PreconditionFailedException.class);
      store.update(flags, "new-search", Update.builder().set("on", "1").build());
      Await.until("the watcher hears the change", () -> reloaded.contains("new-search"));
      watch.close();
    }
  }

  // tag::redis[]
  static StateStore redisStore(String uri) { // uri: "redis://redis.internal:6379"
    return RedisStateStore.builder().uri(uri).timeout(Duration.ofSeconds(2)).build();
  }

  static StateStore redisStore(BrownoutConfig config) { // brownout.state.redis.uri, .timeout…
    return RedisStateStore.builder().config(config).build();
  }

  // end::redis[]

  @Test
  void redisFromCodeOrFromTheConfiguration() {
    try (RedisTestServer redis = new RedisTestServer();
        StateStore fromCode = redisStore(redis.uri());
        StateStore fromConfig =
            redisStore(
                BrownoutConfig.builder().set("brownout.state.redis.uri", redis.uri()).build())) {
      fromCode.update(Namespace.small("flags"), "a", Update.builder().set("on", "1").build());
      assertThat(fromConfig.read(Namespace.small("flags"), "a")).isPresent();
    }
  }

  @Test
  void dynamoDbOnDynamoDbLocal() {
    try (DynamoDbLocalServer local = new DynamoDbLocalServer()) {
      // tag::dynamodb[]
      DynamoDbStateStore store =
          DynamoDbStateStore.builder()
              .table("brownout")
              .region("eu-west-1")
              .endpoint(local.endpoint()) // only for DynamoDB Local; leave out for AWS
              .timeout(Duration.ofSeconds(3))
              .build();
      DynamoDbStateStore.createTable(store.client(), "brownout"); // development and tests
      // end::dynamodb[]
      try (store) {
        store.update(Namespace.small("flags"), "a", Update.builder().set("on", "1").build());
        assertThat(store.list(Namespace.small("flags"))).hasSize(1);
      }
    }
  }

  @Test
  void everyShapeOfOutageThroughTheFaultProxy() {
    // tag::fault-proxy[]
    try (RedisTestServer redis = new RedisTestServer();
        FaultProxy proxy = FaultProxy.to(redis.port());
        StateStore store =
            RedisStateStore.builder()
                .uri(proxy.uri("redis"))
                .timeout(Duration.ofMillis(500))
                .build()) {
      Namespace flags = Namespace.small("flags");
      proxy.latency(Duration.ofSeconds(3)); // slower than the timeout
      assertThatThrownBy(() -> store.read(flags, "a"))
          .isInstanceOf(StateUnavailableException.class);
      proxy.heal().blackHole(); // connections stay open, nothing passes
      assertThatThrownBy(() -> store.read(flags, "a"))
          .isInstanceOf(StateUnavailableException.class);
      proxy.heal().strandConnections(); // today's connections silent for ever, new ones pass
      proxy.heal().cutConnections(); // reset every connection
      proxy.heal();
      Await.until("the store answers again", () -> readsAgain(store, flags));
    }
    // end::fault-proxy[]
  }

  private static boolean readsAgain(StateStore store, Namespace namespace) {
    try {
      store.read(namespace, "a");
      return true;
    } catch (StateUnavailableException e) {
      return false;
    }
  }

  @Test
  void aNearCacheAndAnAuditTrailInTheStore() {
    BrownoutMetrics metrics = BrownoutMetrics.of(new SimpleMeterRegistry());
    try (StateStore store = InMemoryStateStore.create()) {
      // tag::near-cache[]
      NearCache cache = NearCache.builder(store).maximumSize(10_000).metrics(metrics).build();
      // end::near-cache[]
      try (cache) {
        cache.update(Namespace.small("flags"), "a", Update.builder().set("on", "1").build());
        assertThat(cache.read(Namespace.small("flags"), "a")).isPresent();
      }

      // tag::audit[]
      AdminApi api =
          AdminApi.builder()
              .writeTokens(List.of("write-token-change-me-0123456789"))
              .auditSink(AuditSink.allOf(new LogAuditSink(), new StateAuditSink(store)))
              .build();
      // end::audit[]
      assertThat(api.routes()).isNotEmpty();
    }
  }
}
