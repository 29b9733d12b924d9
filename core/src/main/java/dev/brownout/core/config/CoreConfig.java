package dev.brownout.core.config;

import java.util.List;

/**
 * The configuration keys of the core module: who may use the admin API ({@link
 * dev.brownout.core.admin.AdminApi.Builder#config}) and how many tag values a meter may take
 * ({@link dev.brownout.core.metrics.BrownoutMetrics#of(io.micrometer.core.instrument.MeterRegistry,
 * BrownoutConfig)}). The embedded admin server's own keys are in {@code brownout-admin}.
 */
public final class CoreConfig {
  private CoreConfig() {}

  /** This server's name in the fleet. */
  public static final ConfigKey<String> SERVER_ID =
      ConfigKey.of("brownout.server.id", ValueType.string())
          .doc(
              "This server's name in the fleet, shown wherever servers report separately (the"
                  + " write path's automatic browse-only reasons, the admin API's fleet view)."
                  + " Unset: the host name and process id.")
          .build();

  /** Tokens that may read through the admin API. */
  public static final ConfigKey<List<String>> ADMIN_READ_TOKENS =
      ConfigKey.of("brownout.admin.read-tokens", ValueType.list(ValueType.string()))
          .defaultValue(List.of())
          .doc(
              "Bearer tokens allowed to read through the admin API, comma-separated, at least 16"
                  + " characters each.")
          .secret()
          .build();

  /** Tokens that may read and change through the admin API. */
  public static final ConfigKey<List<String>> ADMIN_WRITE_TOKENS =
      ConfigKey.of("brownout.admin.write-tokens", ValueType.list(ValueType.string()))
          .defaultValue(List.of())
          .doc(
              "Bearer tokens allowed to read and change through the admin API, comma-separated, at"
                  + " least 16 characters each. With no tokens at all, every admin request is"
                  + " refused.")
          .secret()
          .build();

  /** Whether changes through the admin API must say why. */
  public static final ConfigKey<Boolean> ADMIN_REQUIRE_REASON =
      ConfigKey.of("brownout.admin.require-reason", ValueType.bool())
          .defaultValue(false)
          .doc(
              "Whether every change through the admin API must carry a reason (the Brownout-Reason"
                  + " header), which the audit trail records.")
          .build();

  /** Distinct values a metric tag may take before further values are folded into {@code other}. */
  public static final ConfigKey<Integer> METRICS_MAX_TAG_VALUES =
      ConfigKey.of("brownout.metrics.max-tag-values", ValueType.integer(1, 100_000))
          .defaultValue(1000)
          .doc(
              "Distinct values one tag of one meter may take (flag keys, breaker names) before"
                  + " further values are recorded as 'other', so a bug cannot flood the registry.")
          .build();

  /** Every core key. */
  public static List<ConfigKey<?>> keys() {
    return List.of(
        SERVER_ID,
        ADMIN_READ_TOKENS,
        ADMIN_WRITE_TOKENS,
        ADMIN_REQUIRE_REASON,
        METRICS_MAX_TAG_VALUES);
  }
}
