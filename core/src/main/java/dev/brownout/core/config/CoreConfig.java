package dev.brownout.core.config;

import java.net.InetAddress;
import java.util.List;

/** The configuration keys of the core module: the admin server and metrics. */
public final class CoreConfig {
  private CoreConfig() {}

  /** Whether the embedded admin HTTP server starts. */
  public static final ConfigKey<Boolean> ADMIN_ENABLED =
      ConfigKey.of("brownout.admin.enabled", ValueType.bool())
          .defaultValue(true)
          .doc("Whether the embedded admin HTTP server starts.")
          .build();

  /** The address the admin server binds to. */
  public static final ConfigKey<String> ADMIN_BIND_ADDRESS =
      ConfigKey.of("brownout.admin.bind-address", ValueType.string())
          .defaultValue(InetAddress.getLoopbackAddress().getHostAddress())
          .doc(
              "Address the admin server binds to. Loopback by default, so the admin API is not"
                  + " reachable from other machines unless you say so.")
          .build();

  /** The admin server's port; 0 picks a free one. */
  public static final ConfigKey<Integer> ADMIN_PORT =
      ConfigKey.of("brownout.admin.port", ValueType.integer(0, 65535))
          .defaultValue(9099)
          .doc("Port of the admin HTTP server; 0 picks a free port.")
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

  /** Largest admin request body accepted. */
  public static final ConfigKey<Integer> ADMIN_MAX_BODY_BYTES =
      ConfigKey.of("brownout.admin.max-body-bytes", ValueType.integer(1024, 16 * 1024 * 1024))
          .defaultValue(1024 * 1024)
          .doc("Largest admin request body accepted, in bytes; larger requests get 413.")
          .build();

  /** Whether changes through the admin API must say why. */
  public static final ConfigKey<Boolean> ADMIN_REQUIRE_REASON =
      ConfigKey.of("brownout.admin.require-reason", ValueType.bool())
          .defaultValue(false)
          .doc(
              "Whether every change through the admin API must carry a reason (the Brownout-Reason"
                  + " header), which the audit trail records.")
          .build();

  /** Threads serving the embedded admin server. */
  public static final ConfigKey<Integer> ADMIN_THREADS =
      ConfigKey.of("brownout.admin.threads", ValueType.integer(1, 64))
          .defaultValue(2)
          .doc("Threads serving the embedded admin server.")
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
        ADMIN_ENABLED,
        ADMIN_BIND_ADDRESS,
        ADMIN_PORT,
        ADMIN_READ_TOKENS,
        ADMIN_WRITE_TOKENS,
        ADMIN_MAX_BODY_BYTES,
        ADMIN_REQUIRE_REASON,
        ADMIN_THREADS,
        METRICS_MAX_TAG_VALUES);
  }
}
