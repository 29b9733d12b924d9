package dev.brownout.examples.boot;

import dev.brownout.degrade.Resilience;
import dev.brownout.flags.FlagConflictException;
import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.flags.RolloutGuard;
import dev.brownout.flags.RolloutPlan;
import dev.brownout.flags.Rollouts;
import dev.brownout.spring.FlagContextResolver;
import dev.brownout.state.StateException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import jakarta.servlet.http.HttpSession;
import java.time.Duration;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/** Starts the site: {@code ./examples/spring-boot/run}. */
@SpringBootApplication
public class StaysApplication {
  /** Starts the application. */
  public static void main(String[] args) {
    SpringApplication.run(StaysApplication.class, args);
  }

  /**
   * Flags are evaluated for the signed-in user: the site's own sign-in keeps them in the session.
   */
  @Bean
  FlagContextResolver signedInUser() {
    return () -> {
      if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes request) {
        HttpSession session = request.getRequest().getSession(false);
        if (session != null && session.getAttribute(Site.USER) instanceof String user) {
          return FlagContext.of(user);
        }
      }
      return FlagContext.anonymous();
    };
  }

  /**
   * Instant booking in a staged rollout, 10, 30, 60 then 100% of users ten minutes apart, halted
   * while the payment API's breaker is open. The first server to see the store creates the flag.
   */
  @Bean
  ApplicationRunner instantBookRollout(Flags flags, Rollouts rollouts, Resilience resilience) {
    return arguments -> {
      try {
        flags.admin().create(FlagDefinition.rollout(Site.INSTANT_BOOK, 10));
      } catch (FlagConflictException e) {
        // another server created it first
      } catch (StateException e) {
        return;
      }
      try {
        rollouts.start(
            RolloutPlan.builder(Site.INSTANT_BOOK)
                .steps(10, 30, 60, 100)
                .every(Duration.ofMinutes(10))
                .guard(
                    RolloutGuard.when(
                        "the payment API's breaker is open",
                        () ->
                            resilience.circuitBreaker(PaymentClient.BREAKER).getState()
                                == CircuitBreaker.State.OPEN))
                .build());
      } catch (StateException e) {
        // the store is down: another server, or a restart, starts the plan
      }
    };
  }
}
