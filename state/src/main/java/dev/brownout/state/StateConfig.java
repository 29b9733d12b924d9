package dev.brownout.state;

import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.ValueType;
import java.time.Duration;
import java.util.List;

/**
 * The configuration keys of the state module: the near cache ({@link NearCache.Builder}) and the
 * in-memory store ({@link InMemoryStateStore.Builder}).
 */
public final class StateConfig {
  private StateConfig() {}

  /** The near cache's size. */
  public static final ConfigKey<Integer> NEAR_CACHE_MAXIMUM_SIZE =
      ConfigKey.of("brownout.state.near-cache.maximum-size", ValueType.integer(1, 100_000_000))
          .defaultValue(10_000)
          .doc("The most records a near cache keeps; the least recently used go first.")
          .build();

  /** How long an entry may be served without a change notification to trust. */
  public static final ConfigKey<Duration> NEAR_CACHE_STALE_AFTER =
      ConfigKey.of(
              "brownout.state.near-cache.stale-after",
              ValueType.duration(Duration.ofMillis(1), Duration.ofDays(1)))
          .doc(
              "Also cache namespaces that are not watched, serving an entry for at most this long,"
                  + " and bound every entry's age to it. Unset: only watched namespaces are cached.")
          .build();

  /** How often the in-memory store removes expired records. */
  public static final ConfigKey<Duration> MEMORY_SWEEP_INTERVAL =
      ConfigKey.of(
              "brownout.state.memory.sweep-interval",
              ValueType.duration(Duration.ofMillis(10), Duration.ofHours(1)))
          .defaultValue(Duration.ofSeconds(5))
          .doc(
              "How often the in-memory store removes expired records, a bounded batch at a time, so"
                  + " that a flood of short-lived records (anonymous sessions) does not stay on the"
                  + " heap after it expires. Expired records are never served in between.")
          .build();

  /** Every key of the state module. */
  public static List<ConfigKey<?>> keys() {
    return List.of(NEAR_CACHE_MAXIMUM_SIZE, NEAR_CACHE_STALE_AFTER, MEMORY_SWEEP_INTERVAL);
  }
}
