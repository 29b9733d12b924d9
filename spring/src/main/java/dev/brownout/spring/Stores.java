package dev.brownout.spring;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.ConfigProblem;
import dev.brownout.core.config.ConfigurationException;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.MeteredStateStore;
import dev.brownout.state.StateStore;
import dev.brownout.state.dynamodb.DynamoDbStateStore;
import dev.brownout.state.redis.RedisStateStore;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import org.springframework.util.ClassUtils;

/** Builds the store {@code brownout.store} names. */
final class Stores {
  private Stores() {}

  /** The kind of store a {@code brownout.store} value names: memory, redis or dynamodb. */
  static String kind(String store, String origin) {
    String text = store.trim().toLowerCase(Locale.ROOT);
    if (text.equals("memory")) {
      return "memory";
    }
    if (text.startsWith("redis://") || text.startsWith("rediss://")) {
      return "redis";
    }
    if (text.equals("dynamodb") || text.startsWith("dynamodb://")) {
      return "dynamodb";
    }
    throw problem(
        store,
        origin,
        "expected memory, redis://host:port, rediss://host:port, dynamodb or dynamodb://host:port");
  }

  /**
   * The store, metered. A Redis store connects lazily, so the application starts while Redis is
   * down (its health says so); a DynamoDB store checks its table at start.
   */
  static StateStore build(ConfigOrigins origins, BrownoutMetrics metrics) {
    BrownoutConfig config = origins.config();
    String store = config.get(StarterConfig.STORE).trim();
    String origin = origins.origin(StarterConfig.STORE);
    StateStore built =
        switch (kind(store, origin)) {
          case "memory" -> InMemoryStateStore.builder().config(config).metrics(metrics).build();
          case "redis" -> redis(store, origin, config, metrics);
          default -> dynamoDb(store, origin, config);
        };
    return MeteredStateStore.wrap(built, metrics);
  }

  private static StateStore redis(
      String store, String origin, BrownoutConfig config, BrownoutMetrics metrics) {
    requireModule(
        store, origin, "dev.brownout.state.redis.RedisStateStore", "brownout-state-redis");
    return RedisStore.build(store, config, metrics);
  }

  private static StateStore dynamoDb(String store, String origin, BrownoutConfig config) {
    requireModule(
        store, origin, "dev.brownout.state.dynamodb.DynamoDbStateStore", "brownout-state-dynamodb");
    return DynamoDbStore.build(store, origin, config);
  }

  private static void requireModule(String store, String origin, String type, String artifact) {
    if (!ClassUtils.isPresent(type, Stores.class.getClassLoader())) {
      throw problem(
          store,
          origin,
          "this store needs dev.brownout:"
              + artifact
              + " on the class path: add it as a dependency");
    }
  }

  static ConfigurationException problem(String value, String origin, String message) {
    return new ConfigurationException(
        List.of(new ConfigProblem(StarterConfig.STORE.name(), origin, value, message)));
  }

  /** Only loaded when brownout-state-redis is there. */
  private static final class RedisStore {
    static StateStore build(String store, BrownoutConfig config, BrownoutMetrics metrics) {
      return RedisStateStore.builder()
          .config(config)
          .uri(store)
          .metrics(metrics)
          .connectLazily()
          .build();
    }
  }

  /** Only loaded when brownout-state-dynamodb is there. */
  private static final class DynamoDbStore {
    static StateStore build(String store, String origin, BrownoutConfig config) {
      DynamoDbStateStore.Builder builder = DynamoDbStateStore.builder().config(config);
      if (store.startsWith("dynamodb://")) {
        URI uri = URI.create(store);
        if (uri.getHost() == null || uri.getPort() < 0) {
          throw problem(
              store,
              origin,
              "dynamodb://host:port names an endpoint, such as dynamodb://localhost:8000");
        }
        builder.endpoint(URI.create("http://" + uri.getHost() + ":" + uri.getPort()));
      }
      return builder.build();
    }
  }
}
