package dev.brownout.spring;

import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.Resilience;
import dev.brownout.state.StateStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Health indicators {@code brownoutStore}, {@code brownoutReadMode} and {@code brownoutBreakers},
 * for Boot 3.5's health API ({@code org.springframework.boot.actuate.health}) or Boot 4.0's ({@code
 * org.springframework.boot.health.contributor}), whichever is on the class path. They are not in
 * the liveness or readiness groups: a store outage is what Brownout keeps the application useful
 * through, not a reason to restart it.
 */
@AutoConfiguration(after = BrownoutAutoConfiguration.class)
public class BrownoutHealthAutoConfiguration {
  /** Used by Spring. */
  public BrownoutHealthAutoConfiguration() {}

  /** Boot 3.5. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
  static class Boot3 {
    @Bean
    @ConditionalOnMissingBean(name = "brownoutStoreHealthIndicator")
    org.springframework.boot.actuate.health.HealthIndicator brownoutStoreHealthIndicator(
        StateStore store) {
      return () -> boot3(HealthChecks.store(store));
    }

    @Bean
    @ConditionalOnMissingBean(name = "brownoutReadModeHealthIndicator")
    org.springframework.boot.actuate.health.HealthIndicator brownoutReadModeHealthIndicator(
        ReadMode readMode) {
      return () -> boot3(HealthChecks.readMode(readMode));
    }

    @Bean
    @ConditionalOnMissingBean(name = "brownoutBreakersHealthIndicator")
    org.springframework.boot.actuate.health.HealthIndicator brownoutBreakersHealthIndicator(
        Resilience resilience) {
      return () -> boot3(HealthChecks.breakers(resilience));
    }

    private static org.springframework.boot.actuate.health.Health boot3(
        HealthChecks.Outcome outcome) {
      return (outcome.up()
              ? org.springframework.boot.actuate.health.Health.up()
              : org.springframework.boot.actuate.health.Health.down())
          .withDetails(outcome.details())
          .build();
    }
  }

  /** Boot 4.0. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class Boot4 {
    @Bean
    @ConditionalOnMissingBean(name = "brownoutStoreHealthIndicator")
    org.springframework.boot.health.contributor.HealthIndicator brownoutStoreHealthIndicator(
        StateStore store) {
      return () -> boot4(HealthChecks.store(store));
    }

    @Bean
    @ConditionalOnMissingBean(name = "brownoutReadModeHealthIndicator")
    org.springframework.boot.health.contributor.HealthIndicator brownoutReadModeHealthIndicator(
        ReadMode readMode) {
      return () -> boot4(HealthChecks.readMode(readMode));
    }

    @Bean
    @ConditionalOnMissingBean(name = "brownoutBreakersHealthIndicator")
    org.springframework.boot.health.contributor.HealthIndicator brownoutBreakersHealthIndicator(
        Resilience resilience) {
      return () -> boot4(HealthChecks.breakers(resilience));
    }

    private static org.springframework.boot.health.contributor.Health boot4(
        HealthChecks.Outcome outcome) {
      return (outcome.up()
              ? org.springframework.boot.health.contributor.Health.up()
              : org.springframework.boot.health.contributor.Health.down())
          .withDetails(outcome.details())
          .build();
    }
  }
}
