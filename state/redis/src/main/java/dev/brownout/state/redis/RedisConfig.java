package dev.brownout.state.redis;

import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.ValueType;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The configuration keys of the Redis store. */
public final class RedisConfig {
  private RedisConfig() {}

  /** Where Redis is. */
  public static final ConfigKey<URI> URI_KEY =
      ConfigKey.of("brownout.state.redis.uri", ValueType.uri())
          .defaultValue(URI.create("redis://127.0.0.1:6379"))
          .doc(
              "The Redis server, as redis://[user:password@]host:port[/database] (rediss:// for TLS).")
          .secret()
          .build();

  /** How long any Redis call may take. */
  public static final ConfigKey<Duration> TIMEOUT =
      ConfigKey.of(
              "brownout.state.redis.timeout",
              ValueType.duration(Duration.ofMillis(10), Duration.ofMinutes(1)))
          .defaultValue(Duration.ofSeconds(2))
          .doc("How long any Redis call may take before it fails with StateUnavailableException.")
          .build();

  /** The prefix of every Redis key Brownout writes. */
  public static final ConfigKey<String> KEY_PREFIX =
      ConfigKey.of("brownout.state.redis.key-prefix", ValueType.string())
          .defaultValue("brownout")
          .doc(
              "Prefix of every key and channel Brownout uses, so several applications can share a server.")
          .build();

  /** Every Redis key. */
  public static List<ConfigKey<?>> keys() {
    return List.of(URI_KEY, TIMEOUT, KEY_PREFIX);
  }
}
