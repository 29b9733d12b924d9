package dev.brownout.spring;

import dev.brownout.core.BrownoutException;
import dev.brownout.core.config.ConfigurationException;
import dev.brownout.core.guard.GuardConfigurationException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Prints a failed start caused by Brownout's configuration or annotations as what is wrong and what
 * to do, instead of a stack of bean creation exceptions.
 */
public final class BrownoutFailureAnalyzer extends AbstractFailureAnalyzer<BrownoutException> {
  /** Used by Spring Boot. */
  public BrownoutFailureAnalyzer() {}

  @Override
  protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BrownoutException cause) {
    if (cause instanceof ConfigurationException) {
      return new FailureAnalysis(
          "Brownout's configuration is invalid: " + cause.getMessage(),
          "Fix each property named above, where its origin says it is set.",
          cause);
    }
    if (cause instanceof GuardConfigurationException) {
      return new FailureAnalysis(
          "Brownout's annotations are invalid: " + cause.getMessage(),
          "Fix each annotation named above: a guard that would do nothing is refused at start-up,"
              + " not found during the outage. The names @CircuitBreaker, @Retry, @Timeout and"
              + " @ConcurrencyLimit use are declared with brownout.spring.resilience"
              + ".circuit-breakers, .retries, .timeouts and .concurrency-limits (or a"
              + " ResilienceCustomizer).",
          cause);
    }
    return null;
  }
}
