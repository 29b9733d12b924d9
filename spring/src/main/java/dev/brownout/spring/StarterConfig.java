package dev.brownout.spring;

import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.ValueType;
import dev.brownout.degrade.Priority;
import java.time.Duration;
import java.util.List;

/**
 * The configuration keys that only the Spring Boot starter reads: which store to build, where the
 * admin API is served and who may use it, which filters to register, which breakers, retries,
 * timeouts and concurrency limiters to declare. Every other {@code brownout.*} key is a module's
 * own, read from the same {@code application.yml}.
 */
public final class StarterConfig {
  private StarterConfig() {}

  /** How the admin API knows who is calling. */
  public enum AdminAuthentication {
    /** Bearer tokens from {@code brownout.admin.read-tokens} and {@code write-tokens}. */
    TOKENS,
    /** Spring Security's authenticated principal and its authorities. */
    SPRING_SECURITY
  }

  /** The store every module keeps its state in. */
  public static final ConfigKey<String> STORE =
      ConfigKey.of("brownout.store", ValueType.string())
          .defaultValue("memory")
          .doc(
              "The store every module keeps its state in: memory (this process only),"
                  + " redis://host:port or rediss://host:port (needs brownout-state-redis; the"
                  + " rest of the connection from brownout.state.redis.*), dynamodb (AWS, from"
                  + " brownout.state.dynamodb.*) or dynamodb://host:port for DynamoDB Local (needs"
                  + " brownout-state-dynamodb).")
          .build();

  /** Where the admin API is served. */
  public static final ConfigKey<String> ADMIN_PATH =
      ConfigKey.of("brownout.spring.admin.path", ValueType.string())
          .defaultValue("/brownout")
          .doc(
              "The path the admin API and console are served under: on the management server when"
                  + " management.server.port is set, else on the application's own. /brownout"
                  + "/api/v1/flags, say. Writes to it pass the browse-only filter.")
          .build();

  /** Whether the admin API is served at all. */
  public static final ConfigKey<Boolean> ADMIN_ENABLED =
      ConfigKey.of("brownout.spring.admin.enabled", ValueType.bool())
          .defaultValue(true)
          .doc("Whether the starter serves the admin API and console.")
          .build();

  /** How admin callers are authenticated. */
  public static final ConfigKey<AdminAuthentication> ADMIN_AUTHENTICATION =
      ConfigKey.of(
              "brownout.spring.admin.authentication",
              ValueType.enumeration(AdminAuthentication.class))
          .defaultValue(AdminAuthentication.TOKENS)
          .doc(
              "How the admin API knows who is calling: tokens (the bearer tokens of"
                  + " brownout.admin.read-tokens and write-tokens) or spring-security (the"
                  + " principal Spring Security authenticated, and its authorities).")
          .build();

  /** The authority that may read through the admin API. */
  public static final ConfigKey<String> ADMIN_READ_AUTHORITY =
      ConfigKey.of("brownout.spring.admin.read-authority", ValueType.string())
          .defaultValue("ROLE_BROWNOUT_READ")
          .doc(
              "With spring-security authentication: the granted authority that may read through"
                  + " the admin API.")
          .build();

  /** The authority that may change through the admin API. */
  public static final ConfigKey<String> ADMIN_WRITE_AUTHORITY =
      ConfigKey.of("brownout.spring.admin.write-authority", ValueType.string())
          .defaultValue("ROLE_BROWNOUT_WRITE")
          .doc(
              "With spring-security authentication: the granted authority that may read and"
                  + " change through the admin API.")
          .build();

  /** Whether the session filter is registered. */
  public static final ConfigKey<Boolean> SESSION_ENABLED =
      ConfigKey.of("brownout.spring.session.enabled", ValueType.bool())
          .defaultValue(true)
          .doc(
              "Whether HttpSession is Brownout's (the session filter, in the store). Honours"
                  + " server.servlet.session.timeout and .cookie.name, .secure and .same-site.")
          .build();

  /** Whether the browse-only filter is registered. */
  public static final ConfigKey<Boolean> READ_MODE_ENABLED =
      ConfigKey.of("brownout.spring.read-mode.enabled", ValueType.bool())
          .defaultValue(true)
          .doc(
              "Whether the browse-only filter is registered: while browse-only, writes get a 503"
                  + " problem+json with Retry-After; every response says the mode.")
          .build();

  /** Paths whose writes pass in browse-only mode. */
  public static final ConfigKey<List<String>> READ_MODE_ALLOWED_PATHS =
      ConfigKey.of("brownout.spring.read-mode.allowed-paths", ValueType.list(ValueType.string()))
          .defaultValue(List.of())
          .doc(
              "Paths whose writes pass while browse-only (sign-in, say), each with everything"
                  + " below it, matched by segment. The admin path is always allowed.")
          .build();

  /** Retry-After when no reason gives an ETA. */
  public static final ConfigKey<Duration> READ_MODE_RETRY_AFTER =
      ConfigKey.of(
              "brownout.spring.read-mode.retry-after",
              ValueType.duration(Duration.ofSeconds(1), Duration.ofDays(1)))
          .defaultValue(Duration.ofSeconds(60))
          .doc("The Retry-After of a refused write when no browse-only reason gives an ETA.")
          .build();

  /** The DataSource whose calls feed the write path. */
  public static final ConfigKey<String> WRITE_PATH_DATA_SOURCE =
      ConfigKey.of("brownout.spring.write-path.data-source", ValueType.string())
          .doc(
              "The name of the DataSource bean (dataSource, for Boot's own) to wrap so that its"
                  + " failures put this server in browse-only mode and a probe of it takes it out"
                  + " again (brownout.degrade.write-path.*). Unset: no DataSource is wrapped.")
          .build();

  /** Breakers declared with the default settings. */
  public static final ConfigKey<List<String>> CIRCUIT_BREAKERS =
      ConfigKey.of(
              "brownout.spring.resilience.circuit-breakers", ValueType.list(ValueType.string()))
          .defaultValue(List.of())
          .doc(
              "Circuit breakers that @CircuitBreaker may name, with the settings of"
                  + " brownout.degrade.breaker.*. A name no one declared is an error at start-up.")
          .build();

  /** Retries declared with the default settings. */
  public static final ConfigKey<List<String>> RETRIES =
      ConfigKey.of("brownout.spring.resilience.retries", ValueType.list(ValueType.string()))
          .defaultValue(List.of())
          .doc("Retries that @Retry may name, with the settings of brownout.degrade.retry.*.")
          .build();

  /** Named timeouts. */
  public static final ConfigKey<List<String>> TIMEOUTS =
      ConfigKey.of("brownout.spring.resilience.timeouts", ValueType.list(ValueType.string()))
          .defaultValue(List.of())
          .doc(
              "Timeouts that @Timeout may name, each name=limit (payments=2s), changeable at run"
                  + " time through the admin API.")
          .build();

  /** Concurrency limiters declared with the default settings. */
  public static final ConfigKey<List<String>> CONCURRENCY_LIMITS =
      ConfigKey.of(
              "brownout.spring.resilience.concurrency-limits", ValueType.list(ValueType.string()))
          .defaultValue(List.of())
          .doc(
              "Adaptive concurrency limiters that @ConcurrencyLimit may name, with the settings of"
                  + " brownout.degrade.concurrency.*. A name no one declared is an error at"
                  + " start-up.")
          .build();

  /** Whether inbound requests are admitted under an adaptive concurrency limit. */
  public static final ConfigKey<Boolean> CONCURRENCY_LIMIT_ENABLED =
      ConfigKey.of("brownout.spring.concurrency-limit.enabled", ValueType.bool())
          .defaultValue(false)
          .doc(
              "Whether inbound requests are admitted under an adaptive concurrency limit (the"
                  + " limiter inbound, with the settings of brownout.degrade.concurrency.*): a"
                  + " request beyond it gets a 503 problem+json with Retry-After at once. Off by"
                  + " default: shedding changes what users see under load, and which routes"
                  + " matter most is the application's to say"
                  + " (brownout.spring.concurrency-limit.routes).")
          .build();

  /** Request priorities by path. */
  public static final ConfigKey<List<String>> CONCURRENCY_LIMIT_ROUTES =
      ConfigKey.of("brownout.spring.concurrency-limit.routes", ValueType.list(ValueType.string()))
          .defaultValue(List.of())
          .doc(
              "Inbound request priorities by path, each path=priority (/checkout=critical,"
                  + " /search=normal, /recommendations=low): a path covers everything below it,"
                  + " matched by segment, and the longest match wins. Under overload low is shed"
                  + " first, then normal, high and critical.")
          .build();

  /** The priority of a request no route places. */
  public static final ConfigKey<Priority> CONCURRENCY_LIMIT_DEFAULT_PRIORITY =
      ConfigKey.of(
              "brownout.spring.concurrency-limit.default-priority",
              ValueType.enumeration(Priority.class))
          .defaultValue(Priority.NORMAL)
          .doc(
              "The priority of an inbound request that no route of"
                  + " brownout.spring.concurrency-limit.routes places.")
          .build();

  /** Paths the inbound limit never covers. */
  public static final ConfigKey<List<String>> CONCURRENCY_LIMIT_EXEMPT_PATHS =
      ConfigKey.of(
              "brownout.spring.concurrency-limit.exempt-paths", ValueType.list(ValueType.string()))
          .defaultValue(List.of())
          .doc(
              "Paths the inbound concurrency limit neither refuses nor counts, each with"
                  + " everything below it, matched by segment: a health probe's /actuator/health,"
                  + " say, which must answer under overload. The admin path is always exempt.")
          .build();

  /** Browse-only as the last step before reads are shed. */
  public static final ConfigKey<Priority> CONCURRENCY_LIMIT_BROWSE_ONLY_BEFORE_SHEDDING =
      ConfigKey.of(
              "brownout.spring.concurrency-limit.browse-only-before-shedding",
              ValueType.enumeration(Priority.class))
          .doc(
              "When set (normal, say), shedding a read (GET, HEAD, OPTIONS) of at least this"
                  + " priority first puts this server browse-only (reason auto:overload, held"
                  + " brownout.degrade.concurrency.browse-only-hold after the last), so writes are"
                  + " refused politely by the browse-only filter and their room goes to reads."
                  + " Needs the browse-only filter. Unset: never.")
          .build();

  /** The status of a call whose feature is off. */
  public static final ConfigKey<Integer> FEATURE_OFF_STATUS =
      ConfigKey.of("brownout.spring.web.feature-off-status", ValueType.integer(400, 599))
          .defaultValue(404)
          .doc(
              "The HTTP status of a request whose @FeatureFlag method ran with its feature off"
                  + " and no fallback (a problem+json of type feature-off).")
          .build();

  /**
   * The starter's key named {@code name}.
   *
   * @throws IllegalArgumentException if the starter has no such key
   */
  static ConfigKey<?> key(String name) {
    for (ConfigKey<?> key : keys()) {
      if (key.name().equals(name)) {
        return key;
      }
    }
    throw new IllegalArgumentException("the starter has no setting " + name);
  }

  /** Every key of the starter. */
  public static List<ConfigKey<?>> keys() {
    return List.of(
        STORE,
        ADMIN_ENABLED,
        ADMIN_PATH,
        ADMIN_AUTHENTICATION,
        ADMIN_READ_AUTHORITY,
        ADMIN_WRITE_AUTHORITY,
        SESSION_ENABLED,
        READ_MODE_ENABLED,
        READ_MODE_ALLOWED_PATHS,
        READ_MODE_RETRY_AFTER,
        WRITE_PATH_DATA_SOURCE,
        CIRCUIT_BREAKERS,
        RETRIES,
        TIMEOUTS,
        CONCURRENCY_LIMITS,
        CONCURRENCY_LIMIT_ENABLED,
        CONCURRENCY_LIMIT_ROUTES,
        CONCURRENCY_LIMIT_DEFAULT_PRIORITY,
        CONCURRENCY_LIMIT_EXEMPT_PATHS,
        CONCURRENCY_LIMIT_BROWSE_ONLY_BEFORE_SHEDDING,
        FEATURE_OFF_STATUS);
  }
}
