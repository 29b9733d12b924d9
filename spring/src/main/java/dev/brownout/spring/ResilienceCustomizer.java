package dev.brownout.spring;

import dev.brownout.degrade.Resilience;

/**
 * Adds to the {@link Resilience} the starter builds what properties cannot say: a breaker, retry,
 * bulkhead or rate limiter with its own Resilience4j config, a fallback instance, a timeout. Every
 * bean of this type is applied, in {@code @Order}, after {@code brownout.spring.resilience.*}.
 *
 * <pre>{@code
 * @Bean
 * ResilienceCustomizer payments() {
 *   return builder -> builder.bulkhead("payments", BulkheadConfig.custom().maxConcurrentCalls(20).build());
 * }
 * }</pre>
 */
@FunctionalInterface
public interface ResilienceCustomizer {

  /** Declares more on {@code builder}. */
  void customize(Resilience.Builder builder);
}
