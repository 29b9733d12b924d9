package dev.brownout.admin;

import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.ValueType;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * The configuration keys of the embedded admin server ({@link AdminServer}); each has a typed
 * setter on {@link AdminServer.Builder}. Who may call is the admin API's business: {@code
 * brownout.admin.read-tokens} and {@code brownout.admin.write-tokens} are core's keys.
 */
public final class AdminServerConfig {
  private AdminServerConfig() {}

  /** The address the admin server binds to. */
  public static final ConfigKey<String> BIND_ADDRESS =
      ConfigKey.of("brownout.admin.bind-address", ValueType.string())
          .defaultValue(InetAddress.getLoopbackAddress().getHostAddress())
          .doc(
              "Address the admin server binds to. Loopback by default, so the admin API is not"
                  + " reachable from other machines unless you say so.")
          .build();

  /** The admin server's port; 0 picks a free one. */
  public static final ConfigKey<Integer> PORT =
      ConfigKey.of("brownout.admin.port", ValueType.integer(0, 65535))
          .defaultValue(9099)
          .doc("Port of the admin HTTP server; 0 picks a free port.")
          .build();

  /** Largest admin request body accepted. */
  public static final ConfigKey<Integer> MAX_BODY_BYTES =
      ConfigKey.of("brownout.admin.max-body-bytes", ValueType.integer(1024, 16 * 1024 * 1024))
          .defaultValue(1024 * 1024)
          .doc(
              "Largest admin request body accepted, in bytes; a request that declares a larger"
                  + " one gets 413 before any of it is read.")
          .build();

  /** Connections served at once. */
  public static final ConfigKey<Integer> MAX_CONNECTIONS =
      ConfigKey.of("brownout.admin.max-connections", ValueType.integer(1, 10_000))
          .defaultValue(64)
          .doc(
              "Connections the admin server serves at once, each on its own thread (a virtual"
                  + " thread on JDK 21 and later). A connection beyond the limit gets 503 and is"
                  + " closed at once.")
          .build();

  /** Time allowed for a request line and headers. */
  public static final ConfigKey<Duration> HEADER_TIMEOUT =
      ConfigKey.of(
              "brownout.admin.header-timeout",
              ValueType.duration(Duration.ofMillis(100), Duration.ofMinutes(5)))
          .defaultValue(Duration.ofSeconds(5))
          .doc(
              "How long a client may take to send a request's line and headers, from its first"
                  + " byte; a slower one is disconnected, so slow clients cannot hold the server's"
                  + " threads.")
          .build();

  /** Time allowed for a request body. */
  public static final ConfigKey<Duration> BODY_TIMEOUT =
      ConfigKey.of(
              "brownout.admin.body-timeout",
              ValueType.duration(Duration.ofMillis(100), Duration.ofMinutes(10)))
          .defaultValue(Duration.ofSeconds(10))
          .doc(
              "How long an authenticated client may take to send a request body; a slower one is"
                  + " disconnected. Bodies are read only after the token is checked.")
          .build();

  /** Time allowed to take a response. */
  public static final ConfigKey<Duration> WRITE_TIMEOUT =
      ConfigKey.of(
              "brownout.admin.write-timeout",
              ValueType.duration(Duration.ofMillis(100), Duration.ofMinutes(10)))
          .defaultValue(Duration.ofSeconds(10))
          .doc(
              "How long a client may take to read a response; a client that stops reading is"
                  + " disconnected.")
          .build();

  /** How long a kept-alive connection may sit idle. */
  public static final ConfigKey<Duration> IDLE_TIMEOUT =
      ConfigKey.of(
              "brownout.admin.idle-timeout",
              ValueType.duration(Duration.ofMillis(100), Duration.ofHours(1)))
          .defaultValue(Duration.ofSeconds(30))
          .doc(
              "How long a kept-alive connection may wait for its next request before it is closed.")
          .build();

  /** Every key of the admin server. */
  public static List<ConfigKey<?>> keys() {
    return List.of(
        BIND_ADDRESS,
        PORT,
        MAX_BODY_BYTES,
        MAX_CONNECTIONS,
        HEADER_TIMEOUT,
        BODY_TIMEOUT,
        WRITE_TIMEOUT,
        IDLE_TIMEOUT);
  }
}
