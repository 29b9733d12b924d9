package dev.brownout.flags;

import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.ValueType;
import java.time.Duration;
import java.util.List;

/**
 * The configuration keys of the flags module; each has a typed setter on {@link Flags.Builder} or
 * {@link Rollouts.Builder}.
 */
public final class FlagsConfig {
  private FlagsConfig() {}

  /** How often every flag is re-read besides change notifications. */
  public static final ConfigKey<Duration> REFRESH_INTERVAL =
      ConfigKey.of(
              "brownout.flags.refresh-interval",
              ValueType.duration(Duration.ofMillis(10), Duration.ofHours(1)))
          .defaultValue(Duration.ofSeconds(30))
          .doc(
              "How often each server re-reads every flag from the store, besides the store's change"
                  + " notifications: the longest a server can miss a change whose notification was"
                  + " lost.")
          .build();

  /** A JSON file of definitions used when the store is unreachable at start. */
  public static final ConfigKey<String> BOOTSTRAP_FILE =
      ConfigKey.of("brownout.flags.bootstrap-file", ValueType.string())
          .doc(
              "A JSON file of definitions, used when the store cannot be read at start, until it"
                  + " answers: an array of flag definitions (the format of FlagDefinition.toJson),"
                  + " or what GET /api/v1/flags/_export gives ({\"flags\": [...], \"segments\":"
                  + " [...]}). Unset: a server that starts with the store down has no flags, and"
                  + " every evaluation gives the caller's default.")
          .build();

  /** How often rollout plans are checked. */
  public static final ConfigKey<Duration> ROLLOUT_TICK_INTERVAL =
      ConfigKey.of(
              "brownout.flags.rollouts.tick-interval",
              ValueType.duration(Duration.ofMillis(10), Duration.ofHours(1)))
          .defaultValue(Duration.ofSeconds(1))
          .doc(
              "How often each server checks the guards of running rollout plans and advances those"
                  + " that are due: the most a tripped guard can take to halt a plan.")
          .build();

  /** Every key of the flags module. */
  public static List<ConfigKey<?>> keys() {
    return List.of(REFRESH_INTERVAL, BOOTSTRAP_FILE, ROLLOUT_TICK_INTERVAL);
  }
}
