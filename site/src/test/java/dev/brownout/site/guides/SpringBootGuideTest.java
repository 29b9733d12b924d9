package dev.brownout.site.guides;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.degrade.FaultInjection;
import dev.brownout.degrade.Resilience;
import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.site.guides.spring.Payments;
import dev.brownout.site.guides.spring.Quotes;
import dev.brownout.spring.BrownoutAutoConfiguration;
import java.net.URL;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The Spring Boot guide: {@code spring-boot-guide.yml} as the application's {@code
 * application.yml}, and Brownout's annotations on a class-based bean, applied by the starter.
 */
class SpringBootGuideTest {
  /**
   * The application: the starter's core auto-configuration and Spring's AOP, named rather than
   * discovered because this class path also holds Boot 4's health jar (for the Javadoc), which Boot
   * 3.5 cannot run.
   */
  @Configuration
  @ImportAutoConfiguration({AopAutoConfiguration.class, BrownoutAutoConfiguration.class})
  @Import(Payments.class)
  static class Application {}

  @Test
  void theStarterReadsTheYamlAndGuardsTheBean() {
    try (ConfigurableApplicationContext context =
        withoutTheEmbeddedServersProperties(this::start)) {
      Payments payments = context.getBean(Payments.class);
      assertThat(AopUtils.isAopProxy(payments)).isTrue();
      assertThat(payments.charge("b-1")).isEqualTo("charged b-1");

      FlagContext ada = FlagContext.of("ada");
      assertThat(payments.redeem(ada, "XMAS")).isEqualTo("gift cards are coming soon");
      context.getBean(Flags.class).admin().create(FlagDefinition.on("gift-cards"));
      assertThat(payments.redeem(ada, "XMAS")).isEqualTo("redeemed XMAS");
    }
  }

  /** The overload guide's application: the limited service. */
  @Configuration
  @ImportAutoConfiguration({AopAutoConfiguration.class, BrownoutAutoConfiguration.class})
  @Import(Quotes.class)
  static class LimitedApplication {}

  @Test
  void theOverloadSettingsDeclareTheLimitersAndAllowGameDays() {
    try (ConfigurableApplicationContext context =
        withoutTheEmbeddedServersProperties(
            () ->
                new SpringApplicationBuilder(LimitedApplication.class)
                    .web(WebApplicationType.NONE)
                    .properties("spring.config.name=spring-boot-overload")
                    .run())) {
      Resilience resilience = context.getBean(Resilience.class);
      assertThat(resilience.concurrencyLimiterNames()).containsExactly("inbound", "quotes");
      assertThat(resilience.concurrencyLimiter("quotes").limit()).isEqualTo(20);
      assertThat(context.getBean(FaultInjection.class).enabled()).isTrue();
      Quotes quotes = context.getBean(Quotes.class);
      assertThat(AopUtils.isAopProxy(quotes)).isTrue();
      assertThat(quotes.quote("3")).isEqualTo("quote for 3");
    }
  }

  @Test
  void aSettingTheStarterWouldNotReadFailsTheStart() {
    // The getting-started guide's brownout.properties sets the embedded admin server's port,
    // which a Spring application does not run: the start fails rather than ignore it.
    assertThatThrownBy(this::start)
        .rootCause()
        .hasMessageContaining("brownout.admin.port")
        .hasMessageContaining("nothing reads this setting");
  }

  private ConfigurableApplicationContext start() {
    return new SpringApplicationBuilder(Application.class)
        .web(WebApplicationType.NONE)
        .properties("spring.config.name=spring-boot-guide")
        .run();
  }

  /**
   * Runs {@code action} with a context class loader that does not show this module's test {@code
   * brownout.properties}, written for the getting-started guide's embedded admin server.
   */
  private static <T> T withoutTheEmbeddedServersProperties(Supplier<T> action) {
    Thread thread = Thread.currentThread();
    ClassLoader original = thread.getContextClassLoader();
    thread.setContextClassLoader(
        new ClassLoader(original) {
          @Override
          public URL getResource(String name) {
            return name.equals("brownout.properties") ? null : super.getResource(name);
          }
        });
    try {
      return action.get();
    } finally {
      thread.setContextClassLoader(original);
    }
  }
}
