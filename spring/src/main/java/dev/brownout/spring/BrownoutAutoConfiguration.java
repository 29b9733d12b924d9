package dev.brownout.spring;

import dev.brownout.admin.AdminServerConfig;
import dev.brownout.core.admin.AdminApi;
import dev.brownout.core.admin.AuditSink;
import dev.brownout.core.admin.LogAuditSink;
import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.config.ConfigKey;
import dev.brownout.core.config.ConfigProblem;
import dev.brownout.core.config.ConfigurationException;
import dev.brownout.core.config.CoreConfig;
import dev.brownout.core.guard.GuardFactory;
import dev.brownout.core.guard.GuardedMethod;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.core.guard.MethodGuard;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.degrade.ConcurrencyLimiter;
import dev.brownout.degrade.DegradeConfig;
import dev.brownout.degrade.FaultInjection;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.Resilience;
import dev.brownout.flags.Flags;
import dev.brownout.flags.Rollouts;
import dev.brownout.session.Sessions;
import dev.brownout.state.StateAuditSink;
import dev.brownout.state.StateStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.ClassUtils;

/**
 * Every Brownout module as a bean, configured from {@code brownout.*} in the application's
 * properties: the store, flags and rollouts, read mode, resilience (concurrency limits included),
 * fault injection, sessions, the admin API, and the AOP advisor that applies the annotations to any
 * bean. Each bean backs off when the application defines its own of the same type.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"
    })
@Import(GuardProxyRegistrar.class)
public class BrownoutAutoConfiguration {
  /** Used by Spring. */
  public BrownoutAutoConfiguration() {}

  /** Keys nobody reads under Spring Boot: setting one is an error, not a silent no-op. */
  private static final List<ConfigKey<?>> EMBEDDED_ADMIN_SERVER_ONLY =
      List.of(
          AdminServerConfig.BIND_ADDRESS,
          AdminServerConfig.PORT,
          AdminServerConfig.MAX_CONNECTIONS,
          AdminServerConfig.HEADER_TIMEOUT,
          AdminServerConfig.BODY_TIMEOUT,
          AdminServerConfig.WRITE_TIMEOUT,
          AdminServerConfig.IDLE_TIMEOUT);

  private static final Set<String> WRITE_PATH_ONLY =
      Set.of(
          "brownout.degrade.write-path.failure-rate",
          "brownout.degrade.write-path.window",
          "brownout.degrade.write-path.minimum-calls",
          "brownout.degrade.write-path.lease",
          "brownout.degrade.write-path.probe-interval",
          "brownout.degrade.write-path.message");

  /** The store name fault-injection experiments target the flags' store calls by. */
  static final String FLAGS_STORE = "flags";

  /** The store name of the read mode's store calls. */
  static final String READ_MODE_STORE = "read-mode";

  /** The store name of resilience's store calls (forced breakers, changed settings). */
  static final String RESILIENCE_STORE = "resilience";

  /** The store name of the sessions' store calls. */
  static final String SESSIONS_STORE = "sessions";

  /** Keys only the inbound concurrency limit reads. */
  private static final List<ConfigKey<?>> INBOUND_LIMIT_ONLY =
      List.of(
          StarterConfig.CONCURRENCY_LIMIT_ROUTES,
          StarterConfig.CONCURRENCY_LIMIT_DEFAULT_PRIORITY,
          StarterConfig.CONCURRENCY_LIMIT_EXEMPT_PATHS,
          StarterConfig.CONCURRENCY_LIMIT_BROWSE_ONLY_BEFORE_SHEDDING);

  @Bean
  @ConditionalOnMissingBean
  ConfigOrigins brownoutConfigOrigins(ConfigurableEnvironment environment) {
    ConfigOrigins origins = EnvironmentConfig.load(environment);
    checkNothingUnread(origins);
    return origins;
  }

  /** The configuration every Brownout bean is built from. */
  @Bean
  @ConditionalOnMissingBean
  BrownoutConfig brownoutConfig(ConfigOrigins origins) {
    return origins.config();
  }

  @Bean
  @ConditionalOnMissingBean
  BrownoutMetrics brownoutMetrics(ObjectProvider<MeterRegistry> registry, BrownoutConfig config) {
    MeterRegistry meters = registry.getIfAvailable();
    return meters == null ? BrownoutMetrics.inMemory() : BrownoutMetrics.of(meters, config);
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  StateStore brownoutStateStore(ConfigOrigins origins, BrownoutMetrics metrics) {
    return Stores.build(origins, metrics);
  }

  @Bean
  @ConditionalOnMissingBean
  AuditSink brownoutAuditSink(StateStore store) {
    // Kept in the store, so every server's admin API shows the fleet's changes.
    return AuditSink.allOf(new StateAuditSink(store), new LogAuditSink());
  }

  /**
   * Game days: off unless {@code brownout.degrade.faults.enabled} is true, and then experiments
   * started through the admin API reach the guarded beans and each module's store calls (the store
   * names {@value #FLAGS_STORE}, {@value #READ_MODE_STORE}, {@value #RESILIENCE_STORE} and {@value
   * #SESSIONS_STORE}). A call's unit is the {@link FlagContextResolver}'s, as for
   * {@code @FeatureFlag}; anonymous calls are sampled at random. Ends of experiments go to the
   * audit trail with their starts and stops.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  FaultInjection faultInjection(
      StateStore store,
      BrownoutConfig config,
      BrownoutMetrics metrics,
      AuditSink audit,
      FlagContextResolver context) {
    return FaultInjection.builder(store)
        .config(config)
        .metrics(metrics)
        .auditSink(audit)
        .unitResolver(
            () -> {
              String unit = context.resolve().key();
              return unit.isEmpty() ? Optional.empty() : Optional.of(unit);
            })
        .build();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  Flags flags(
      StateStore store, BrownoutConfig config, BrownoutMetrics metrics, FaultInjection faults) {
    return Flags.builder(faults.wrap(store, FLAGS_STORE)).config(config).metrics(metrics).build();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  Rollouts rollouts(Flags flags, BrownoutConfig config, BrownoutMetrics metrics, AuditSink audit) {
    return Rollouts.builder(flags).config(config).metrics(metrics).auditSink(audit).build();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  ReadMode readMode(
      StateStore store, BrownoutConfig config, BrownoutMetrics metrics, FaultInjection faults) {
    return ReadMode.builder(faults.wrap(store, READ_MODE_STORE))
        .config(config)
        .metrics(metrics)
        .build();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  Resilience resilience(
      StateStore store,
      ConfigOrigins origins,
      BrownoutMetrics metrics,
      FaultInjection faults,
      ObjectProvider<ResilienceCustomizer> customizers) {
    BrownoutConfig config = origins.config();
    Resilience.Builder builder =
        Resilience.builder(faults.wrap(store, RESILIENCE_STORE)).config(config).metrics(metrics);
    config.get(StarterConfig.CIRCUIT_BREAKERS).forEach(builder::circuitBreaker);
    config.get(StarterConfig.RETRIES).forEach(builder::retry);
    List<ConfigProblem> problems = new ArrayList<>();
    boolean inbound = config.get(StarterConfig.CONCURRENCY_LIMIT_ENABLED);
    for (String limiter : config.get(StarterConfig.CONCURRENCY_LIMITS)) {
      if (inbound && limiter.equals(BrownoutWebAutoConfiguration.INBOUND_LIMITER)) {
        problems.add(
            new ConfigProblem(
                StarterConfig.CONCURRENCY_LIMITS.name(),
                origins.origin(StarterConfig.CONCURRENCY_LIMITS),
                limiter,
                "'"
                    + limiter
                    + "' is the inbound requests' limiter"
                    + " (brownout.spring.concurrency-limit.enabled); name the calls' limiter"
                    + " otherwise"));
      } else {
        builder.concurrencyLimit(limiter);
      }
    }
    if (inbound) {
      // Declared here, so that the admin API lists it with the calls' limiters.
      builder.concurrencyLimiter(
          ConcurrencyLimiter.builder(BrownoutWebAutoConfiguration.INBOUND_LIMITER)
              .config(config)
              .metrics(metrics)
              .build());
    }
    for (String timeout : config.get(StarterConfig.TIMEOUTS)) {
      int equals = timeout.indexOf('=');
      try {
        if (equals < 1) {
          throw new IllegalArgumentException("expected name=limit, such as payments=2s");
        }
        builder.timeout(
            timeout.substring(0, equals).trim(),
            DurationStyle.detectAndParse(timeout.substring(equals + 1).trim()));
      } catch (IllegalArgumentException e) {
        problems.add(
            new ConfigProblem(
                StarterConfig.TIMEOUTS.name(),
                origins.origin(StarterConfig.TIMEOUTS),
                timeout,
                e.getMessage()));
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  @Bean
  BootSessionProperties brownoutBootSessionProperties(
      ConfigurableEnvironment environment, ConfigOrigins origins) {
    return BootSessionProperties.read(environment, origins);
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  Sessions sessions(
      StateStore store,
      ConfigOrigins origins,
      BrownoutMetrics metrics,
      BootSessionProperties boot,
      FaultInjection faults) {
    Sessions.Builder builder =
        Sessions.builder(faults.wrap(store, SESSIONS_STORE))
            .config(origins.config())
            .metrics(metrics);
    boot.applyTo(builder);
    return builder.build();
  }

  @Bean
  @ConditionalOnMissingBean
  FlagContextResolver flagContextResolver() {
    return new PrincipalFlagContextResolver();
  }

  /** The admin API's routes and who may call them; served by the web configuration. */
  @Bean
  @ConditionalOnMissingBean
  AdminApi brownoutAdminApi(
      ConfigOrigins origins,
      BrownoutMetrics metrics,
      AuditSink audit,
      Flags flags,
      ReadMode readMode,
      Resilience resilience,
      FaultInjection faults) {
    BrownoutConfig config = origins.config();
    AdminApi.Builder builder =
        AdminApi.builder()
            .metrics(metrics)
            .auditSink(audit)
            .routes(flags.adminRoutes())
            .routes(readMode.adminRoutes())
            .routes(resilience.adminRoutes())
            .routes(faults.adminRoutes());
    if (config.get(StarterConfig.ADMIN_AUTHENTICATION)
        == StarterConfig.AdminAuthentication.SPRING_SECURITY) {
      List<ConfigProblem> problems = new ArrayList<>();
      for (ConfigKey<?> tokens :
          List.of(CoreConfig.ADMIN_READ_TOKENS, CoreConfig.ADMIN_WRITE_TOKENS)) {
        if (origins.isSet(tokens)) {
          problems.add(
              new ConfigProblem(
                  tokens.name(),
                  origins.origin(tokens),
                  "****",
                  "with brownout.spring.admin.authentication=spring-security the admin API does not"
                      + " read tokens; remove them, or authenticate with tokens"));
        }
      }
      if (!ClassUtils.isPresent(
          "org.springframework.security.core.context.SecurityContextHolder",
          getClass().getClassLoader())) {
        problems.add(
            new ConfigProblem(
                StarterConfig.ADMIN_AUTHENTICATION.name(),
                origins.origin(StarterConfig.ADMIN_AUTHENTICATION),
                "spring-security",
                "Spring Security is not on the class path: add spring-boot-starter-security"));
      }
      if (!problems.isEmpty()) {
        throw new ConfigurationException(problems);
      }
      builder.authenticator(
          new SpringSecurityAdminAuthenticator(
              config.get(StarterConfig.ADMIN_READ_AUTHORITY),
              config.get(StarterConfig.ADMIN_WRITE_AUTHORITY)));
      // Still reads require-reason; tokens were checked above.
      builder.requireReason(config.get(CoreConfig.ADMIN_REQUIRE_REASON));
    } else {
      builder.config(config);
    }
    return builder.build();
  }

  /**
   * Every module's guards, and the application's own {@link GuardFactory} beans, for the AOP
   * advisor.
   */
  @Bean
  @ConditionalOnMissingBean
  BrownoutGuards brownoutGuards(
      Flags flags,
      ReadMode readMode,
      Resilience resilience,
      FaultInjection faults,
      FlagContextResolver context,
      ObjectProvider<GuardFactory> more) {
    GuardedProxies.Builder builder =
        GuardedProxies.builder()
            .add(flags.guards(context::resolve))
            .add(readMode.guards())
            .add(resilience.guards());
    faults.guards().forEach(guard -> builder.add(new AnnotatedMethodsOnly(guard)));
    more.orderedStream().forEach(builder::add);
    return new BrownoutGuards(builder.build());
  }

  /**
   * A guard that asks for no annotation (fault injection's), made only for the methods the advisor
   * intercepts: those with a guard annotation. A guarded bean's other public methods are never
   * called through the chain, so they are not checked for it either.
   */
  private record AnnotatedMethodsOnly(GuardFactory guard) implements GuardFactory {
    @Override
    public int order() {
      return guard.order();
    }

    @Override
    public Set<Class<? extends Annotation>> handles() {
      return guard.handles();
    }

    @Override
    public Optional<MethodGuard> create(GuardedMethod method) {
      return method.guardAnnotations().isEmpty() ? Optional.empty() : guard.create(method);
    }
  }

  /**
   * The advisor; created before every other bean, so it holds only a lazy reference to the guards.
   */
  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  static GuardAdvisor brownoutGuardAdvisor(ObjectProvider<BrownoutGuards> guards) {
    return new GuardAdvisor(guards);
  }

  @Bean
  static WritePathPostProcessor brownoutWritePathPostProcessor(
      ConfigurableEnvironment environment) {
    return new WritePathPostProcessor(environment);
  }

  /** The write path; its probe asks the DataSource it wraps, before the wrapping. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  WritePathHolder brownoutWritePath(
      ConfigOrigins origins, ReadMode readMode, BrownoutMetrics metrics) {
    return new WritePathHolder(origins, readMode, metrics, Duration.ofSeconds(2));
  }

  private static void checkNothingUnread(ConfigOrigins origins) {
    BrownoutConfig config = origins.config();
    String kind = Stores.kind(config.get(StarterConfig.STORE), origins.origin(StarterConfig.STORE));
    List<ConfigProblem> problems = new ArrayList<>();
    for (ConfigKey<?> key : config.keys()) {
      if (!origins.isSet(key)) {
        continue;
      }
      String name = key.name();
      String reason = null;
      if (name.startsWith("brownout.state.redis.") && !kind.equals("redis")) {
        reason = "it configures the Redis store, and brownout.store is " + kind;
      } else if (name.startsWith("brownout.state.dynamodb.") && !kind.equals("dynamodb")) {
        reason = "it configures the DynamoDB store, and brownout.store is " + kind;
      } else if (name.startsWith("brownout.state.memory.") && !kind.equals("memory")) {
        reason = "it configures the in-memory store, and brownout.store is " + kind;
      } else if (EMBEDDED_ADMIN_SERVER_ONLY.contains(key)) {
        reason =
            "it configures the embedded admin server, which the Spring Boot starter does not"
                + " start: the admin API is served under brownout.spring.admin.path by the"
                + " application's (or the management) server";
      } else if (WRITE_PATH_ONLY.contains(name)
          && !origins.isSet(StarterConfig.WRITE_PATH_DATA_SOURCE)) {
        reason =
            "it configures the write path, which watches a DataSource only when"
                + " brownout.spring.write-path.data-source names one";
      } else if (INBOUND_LIMIT_ONLY.contains(key)
          && !config.get(StarterConfig.CONCURRENCY_LIMIT_ENABLED)) {
        reason =
            "it configures the inbound concurrency limit, which is off: set"
                + " brownout.spring.concurrency-limit.enabled=true to limit inbound requests";
      } else if (key.equals(DegradeConfig.CONCURRENCY_BROWSE_ONLY_HOLD)
          && (!config.get(StarterConfig.CONCURRENCY_LIMIT_ENABLED)
              || config
                  .find(StarterConfig.CONCURRENCY_LIMIT_BROWSE_ONLY_BEFORE_SHEDDING)
                  .isEmpty())) {
        reason =
            "it says how long the inbound concurrency limit holds this server browse-only, which"
                + " it does only with brownout.spring.concurrency-limit.enabled=true and"
                + " brownout.spring.concurrency-limit.browse-only-before-shedding set";
      }
      if (reason != null) {
        problems.add(
            new ConfigProblem(
                name, origins.origin(key), null, "nothing reads this setting: " + reason));
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
  }
}
