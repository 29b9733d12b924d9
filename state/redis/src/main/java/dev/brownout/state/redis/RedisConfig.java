package dev.brownout.state.redis;

import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.ValueType;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The configuration keys of the Redis store. */
public final class RedisConfig {
  private RedisConfig() {}

  /** Where Redis is: one server, a cluster's seeds, or the sentinels of a primary. */
  public static final ConfigKey<URI> URI_KEY =
      ConfigKey.of("brownout.state.redis.uri", ValueType.uri())
          .defaultValue(URI.create("redis://127.0.0.1:6379"))
          .doc(
              "The Redis server: redis://[user:password@]host:port[/database] for one server,"
                  + " redis-cluster://host:port[,host:port...] for a Redis Cluster (any nodes, as"
                  + " seeds), redis-sentinel://host:port[,host:port...]/primary-name for a primary"
                  + " found through its sentinels; rediss, rediss-cluster and rediss-sentinel for"
                  + " TLS.")
          .secret()
          .build();

  /** How long any Redis call may take. */
  public static final ConfigKey<Duration> TIMEOUT =
      ConfigKey.of(
              "brownout.state.redis.timeout",
              ValueType.duration(Duration.ofMillis(10), Duration.ofMinutes(1)))
          .defaultValue(Duration.ofSeconds(2))
          .doc(
              "How long any Redis call may take, connecting included, before it fails with"
                  + " StateUnavailableException.")
          .build();

  /** The prefix of every Redis key Brownout writes. */
  public static final ConfigKey<String> KEY_PREFIX =
      ConfigKey.of("brownout.state.redis.key-prefix", ValueType.string())
          .defaultValue("brownout")
          .doc(
              "Prefix of every key and channel Brownout uses, so several applications can share a server.")
          .build();

  /** The ACL user. */
  public static final ConfigKey<String> USERNAME =
      ConfigKey.of("brownout.state.redis.username", ValueType.string())
          .doc(
              "The ACL user to authenticate as (Redis 6 and later); with password. Unset: the"
                  + " user in the URI, if any, else the default user.")
          .build();

  /** The password. */
  public static final ConfigKey<String> PASSWORD =
      ConfigKey.of("brownout.state.redis.password", ValueType.string())
          .doc(
              "The password (of the ACL user, or requirepass). Kept out of the URI so the URI"
                  + " can be logged; never printed. Set it here or in the URI, not both.")
          .secret()
          .build();

  /** The trusted certificates for TLS. */
  public static final ConfigKey<String> TRUSTSTORE =
      ConfigKey.of("brownout.state.redis.truststore", ValueType.string())
          .doc(
              "For rediss: the certificates to trust, as a PEM file (.pem, .crt) or a PKCS12/JKS"
                  + " keystore file. Unset: the JVM's default trust store.")
          .build();

  /** The truststore's password. */
  public static final ConfigKey<String> TRUSTSTORE_PASSWORD =
      ConfigKey.of("brownout.state.redis.truststore-password", ValueType.string())
          .doc("The password of the truststore keystore file, if it has one.")
          .secret()
          .build();

  /** The client certificate for TLS. */
  public static final ConfigKey<String> KEYSTORE =
      ConfigKey.of("brownout.state.redis.keystore", ValueType.string())
          .doc(
              "For rediss to a server that checks clients (tls-auth-clients): a PKCS12/JKS"
                  + " keystore file holding the client's certificate and key.")
          .build();

  /** The client keystore's password. */
  public static final ConfigKey<String> KEYSTORE_PASSWORD =
      ConfigKey.of("brownout.state.redis.keystore-password", ValueType.string())
          .doc("The password of the client keystore file.")
          .secret()
          .build();

  /** Whether the server's certificate must name the host connected to. */
  public static final ConfigKey<Boolean> VERIFY_HOSTNAME =
      ConfigKey.of("brownout.state.redis.verify-hostname", ValueType.bool())
          .defaultValue(true)
          .doc(
              "For rediss: whether the server's certificate must name the host connected to, as"
                  + " well as be trusted. Turn off only for servers reached by addresses their"
                  + " certificates cannot name (cluster nodes announced by IP).")
          .build();

  /** How often idle connections are probed. */
  public static final ConfigKey<Duration> KEEPALIVE =
      ConfigKey.of(
              "brownout.state.redis.keepalive",
              ValueType.duration(Duration.ofMillis(100), Duration.ofMinutes(10)))
          .defaultValue(Duration.ofSeconds(15))
          .doc(
              "How long a connection may be silent before it is probed: TCP keepalive probes"
                  + " after this much idleness (three, a third of it apart), TCP_USER_TIMEOUT of"
                  + " twice it where Netty's epoll or io_uring transport is on the class path, and"
                  + " a PING on the watch connection this often, which is replaced if the PING is"
                  + " not answered within the timeout. A command connection that lets a call time"
                  + " out without answering anything is replaced at once.")
          .build();

  /** How many replicas a durable write waits for. */
  public static final ConfigKey<Integer> DURABILITY_REPLICAS =
      ConfigKey.of("brownout.state.redis.durability.replicas", ValueType.integer(0, 16))
          .defaultValue(0)
          .doc(
              "How many replicas must have a write before the store reports it done (Redis"
                  + " WAIT), for the namespaces durability.namespaces names; 0 waits for none."
                  + " Replication is asynchronous, so without it a failover can lose writes the"
                  + " primary acknowledged.")
          .build();

  /** How long a durable write waits for its replicas. */
  public static final ConfigKey<Duration> DURABILITY_TIMEOUT =
      ConfigKey.of(
              "brownout.state.redis.durability.timeout",
              ValueType.duration(Duration.ofMillis(1), Duration.ofMinutes(1)))
          .defaultValue(Duration.ofMillis(500))
          .doc(
              "How long a durable write waits for durability.replicas replicas, within the"
                  + " timeout (so it must be shorter). Not enough replicas in time: the write"
                  + " fails with StateUnavailableException, though the primary has it.")
          .build();

  /** Which writes are durable. */
  public static final ConfigKey<DurableNamespaces> DURABILITY_NAMESPACES =
      ConfigKey.of(
              "brownout.state.redis.durability.namespaces",
              ValueType.enumeration(DurableNamespaces.class))
          .defaultValue(DurableNamespaces.SMALL)
          .doc(
              "Which writes wait for replicas when durability.replicas is set: small (flags,"
                  + " browse-only reasons, rollout progress, audit records: few writes that must"
                  + " not be lost) or all (sessions too, at the cost of every save).")
          .build();

  /** Which pub/sub carries change notifications. */
  public static final ConfigKey<PubSub> PUBSUB =
      ConfigKey.of("brownout.state.redis.pubsub", ValueType.enumeration(PubSub.class))
          .defaultValue(PubSub.AUTO)
          .doc(
              "Which Redis pub/sub carries the change notifications of small namespaces: auto"
                  + " (sharded on a Redis Cluster whose primaries all run Redis 7 or later, as"
                  + " found when the store first connects; classic otherwise), sharded (SPUBLISH"
                  + " and SSUBSCRIBE on a channel in the namespace's own slot, so a change goes to"
                  + " the nodes of one shard instead of every node of the cluster; needs Redis 7,"
                  + " or the store does not connect) or classic (PUBLISH and SUBSCRIBE). Every"
                  + " server sharing a store must use the same one, or they miss each other's"
                  + " changes. Large watchable namespaces span every slot and always use classic.")
          .build();

  /** Which pub/sub carries change notifications; see {@link #PUBSUB}. */
  public enum PubSub {
    /** Sharded on a Redis 7 cluster, classic elsewhere. */
    AUTO,
    /** Sharded pub/sub ({@code SPUBLISH}, {@code SSUBSCRIBE}): Redis 7 or later. */
    SHARDED,
    /** Classic pub/sub ({@code PUBLISH}, {@code SUBSCRIBE}): a cluster sends it to every node. */
    CLASSIC
  }

  /** Which namespaces' writes wait for replicas. */
  public enum DurableNamespaces {
    /** Small namespaces only: flags, browse-only reasons, rollout plans, audit records. */
    SMALL,
    /** Every namespace, sessions included. */
    ALL
  }

  /** Every Redis key. */
  public static List<ConfigKey<?>> keys() {
    return List.of(
        URI_KEY,
        TIMEOUT,
        KEY_PREFIX,
        USERNAME,
        PASSWORD,
        TRUSTSTORE,
        TRUSTSTORE_PASSWORD,
        KEYSTORE,
        KEYSTORE_PASSWORD,
        VERIFY_HOSTNAME,
        KEEPALIVE,
        DURABILITY_REPLICAS,
        DURABILITY_TIMEOUT,
        DURABILITY_NAMESPACES,
        PUBSUB);
  }
}
