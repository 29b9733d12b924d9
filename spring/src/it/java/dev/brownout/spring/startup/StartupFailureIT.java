package dev.brownout.spring.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** Start-up refuses what would otherwise be silently ignored, naming it and where it is set. */
class StartupFailureIT {
  @Test
  void aBadOrUnknownPropertyIsNamedWithItsOriginInApplicationYml() {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(FailingApplications.Plain.class)
                    .web(WebApplicationType.NONE)
                    .properties("spring.config.name=bad-properties")
                    .run()
                    .close())
        .rootCause()
        .hasMessageContaining("brownout.degrade.breaker.minimum-calls = 'lots'")
        .hasMessageContaining("bad-properties.yml")
        .hasMessageContaining("brownout.flags.refresh-intervall")
        .hasMessageContaining("did you mean brownout.flags.refresh-interval?");
  }

  @Test
  void aSettingNothingReadsIsAnError() {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(FailingApplications.Plain.class)
                    .web(WebApplicationType.NONE)
                    .properties("spring.config.name=unread-properties")
                    .run()
                    .close())
        .rootCause()
        .hasMessageContaining("brownout.state.redis.uri")
        .hasMessageContaining("unread-properties.yml")
        .hasMessageContaining("brownout.store is memory")
        .hasMessageContaining("brownout.admin.port");
  }

  @Test
  void anUndeclaredBreakerOrAGuardNoProxyReachesFailsTheStart() {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(FailingApplications.UndeclaredBreaker.class)
                    .web(WebApplicationType.NONE)
                    .properties("spring.config.name=none")
                    .run()
                    .close())
        .satisfies(
            failure ->
                assertThat(root(failure))
                    .hasMessageContaining("no circuit breaker named 'nowhere'")
                    .hasMessageContaining("@ConcurrencyLimit names 'nowhere-either'")
                    .hasMessageContaining("Vendor.hidden is not public"));
  }

  @Test
  void anInboundLimitSettingWhileTheLimitIsOffIsAnError() {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(FailingApplications.Plain.class)
                    .web(WebApplicationType.NONE)
                    .properties(
                        "spring.config.name=none",
                        "brownout.spring.concurrency-limit.routes=/checkout=critical")
                    .run()
                    .close())
        .rootCause()
        .hasMessageContaining("brownout.spring.concurrency-limit.routes")
        .hasMessageContaining("nothing reads this setting")
        .hasMessageContaining("brownout.spring.concurrency-limit.enabled=true");
  }

  @Test
  void aBadInboundRouteIsNamedWithItsOrigin() {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(FailingApplications.Plain.class)
                    .web(WebApplicationType.SERVLET)
                    .properties(
                        "spring.config.name=none",
                        "server.port=0",
                        "brownout.spring.concurrency-limit.enabled=true",
                        "brownout.spring.concurrency-limit.routes=/checkout=urgent, search=low")
                    .run()
                    .close())
        .satisfies(
            failure ->
                assertThat(root(failure))
                    .hasMessageContaining("brownout.spring.concurrency-limit.routes")
                    .hasMessageContaining("/checkout=urgent")
                    .hasMessageContaining("one of low, normal, high, critical")
                    .hasMessageContaining("search=low")
                    .hasMessageContaining("must start with '/'"));
  }

  @Test
  void springSessionAlongsideBrownoutsSessionsFailsTheStart() {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(FailingApplications.WithSpringSession.class)
                    .web(WebApplicationType.SERVLET)
                    .properties("spring.config.name=none", "server.port=0")
                    .run()
                    .close())
        .rootCause()
        .hasMessageContaining("Spring Session is active too")
        .hasMessageContaining("brownout.spring.session.enabled=false");
  }

  private static Throwable root(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
