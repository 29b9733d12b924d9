package dev.brownout.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.spring.bench.Services;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The benchmark's application, checked: the starter's advisor proxies the class-based bean it
 * guards and leaves the unguarded one alone, beside Resilience4j's aspects.
 */
class GuardedBeansTest {
  @Test
  void theAdvisorProxiesOnlyGuardedClassesAndTheirCallsRun() {
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(
                dev.brownout.spring.bench.GuardedCallBenchmark.class.getDeclaredClasses()[0])
            .web(WebApplicationType.NONE)
            .properties(
                "spring.config.name=none",
                "brownout.spring.resilience.circuit-breakers=bench",
                "brownout.spring.resilience.retries=bench")
            .run()) {
      Services.Brownout guarded = context.getBean(Services.Brownout.class);
      assertThat(AopUtils.isCglibProxy(guarded)).isTrue();
      assertThat(AopUtils.isAopProxy(context.getBean(Services.Plain.class))).isFalse();
      assertThat(guarded.call("x")).isEqualTo("x");
      assertThat(context.getBean(Services.Resilience4j.class).call("y")).isEqualTo("y");
      assertThat(
              context
                  .getBean(dev.brownout.degrade.Resilience.class)
                  .circuitBreaker("bench")
                  .getMetrics()
                  .getNumberOfSuccessfulCalls())
          .isEqualTo(1);
    }
  }
}
