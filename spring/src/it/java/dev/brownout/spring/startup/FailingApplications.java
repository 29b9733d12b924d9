package dev.brownout.spring.startup;

import dev.brownout.degrade.CircuitBreaker;
import dev.brownout.degrade.ConcurrencyLimit;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.session.MapSessionRepository;
import org.springframework.session.web.http.SessionRepositoryFilter;

/**
 * Applications that must not start, each for one reason. Outside the suite application's package,
 * so that its component scan does not find them.
 */
final class FailingApplications {
  private FailingApplications() {}

  /** Nothing wrong in code: its properties are. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Plain {}

  /** A breaker name no one declared. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class UndeclaredBreaker {
    @Bean
    Vendor vendor() {
      return new Vendor();
    }
  }

  /**
   * A service whose annotations name a breaker and a concurrency limiter that do not exist, or
   * reach no proxy.
   */
  public static class Vendor {
    @CircuitBreaker("nowhere")
    public String call() {
      return "called";
    }

    @CircuitBreaker("nowhere")
    protected String hidden() {
      return "hidden";
    }

    @ConcurrencyLimit("nowhere-either")
    public String quote() {
      return "quoted";
    }
  }

  /** Spring Session too. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class WithSpringSession {
    @Bean
    SessionRepositoryFilter<?> springSessionRepositoryFilter() {
      return new SessionRepositoryFilter<>(new MapSessionRepository(new ConcurrentHashMap<>()));
    }
  }
}
