package dev.brownout.spring.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A call to a Spring bean guarded by a circuit breaker and a retry, through the starter's AOP
 * advisor, against the same call guarded by Resilience4j's Spring Boot annotations (its AspectJ
 * aspects), in one Boot 3.5 application; and the same bean method unguarded, for the floor.
 *
 * <pre>{@code
 * ./mvnw -o -pl spring -Pbenchmark verify -DskipTests
 * # results: spring/target/spring-guards.json (with -prof gc allocation figures)
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GuardedCallBenchmark {
  private ConfigurableApplicationContext context;
  private Services.Brownout brownout;
  private Services.Resilience4j resilience4j;
  private Services.Plain plain;

  /** Starts the application. */
  @Setup
  public void start() {
    context =
        new SpringApplicationBuilder(Application.class)
            .web(WebApplicationType.NONE)
            .properties(
                "spring.config.name=none",
                "brownout.spring.resilience.circuit-breakers=bench",
                "brownout.spring.resilience.retries=bench",
                "logging.level.root=warn")
            .run();
    brownout = context.getBean(Services.Brownout.class);
    resilience4j = context.getBean(Services.Resilience4j.class);
    plain = context.getBean(Services.Plain.class);
  }

  /** Stops it. */
  @TearDown
  public void stop() {
    context.close();
  }

  /** Brownout's {@code @CircuitBreaker} and {@code @Retry}, through the starter's advisor. */
  @Benchmark
  public String brownout() {
    return brownout.call("x");
  }

  /** Resilience4j's {@code @CircuitBreaker} and {@code @Retry}, through its Spring Boot aspects. */
  @Benchmark
  public String resilience4j() {
    return resilience4j.call("x");
  }

  /** The same method on a bean nothing guards. */
  @Benchmark
  public String unguarded() {
    return plain.call("x");
  }

  /** The application: the starter's and Resilience4j's auto-configuration, three beans. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Application {
    @Bean
    Services.Brownout brownoutService() {
      return new Services.Brownout();
    }

    @Bean
    Services.Resilience4j resilience4jService() {
      return new Services.Resilience4j();
    }

    @Bean
    Services.Plain plainService() {
      return new Services.Plain();
    }
  }
}
