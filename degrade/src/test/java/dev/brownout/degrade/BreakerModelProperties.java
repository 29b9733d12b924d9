package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.state.InMemoryStateStore;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * A breaker behind Brownout's proxy against a model of a count-based breaker: it must refuse
 * exactly from the call after the one where the failure rate over the last {@code window} calls,
 * with at least {@code minimum} calls, reached the threshold. Settings come from core config.
 */
class BreakerModelProperties {
  public interface Api {
    @CircuitBreaker("api")
    String call(boolean fail);
  }

  /** The first call refused, by the model; -1 if none. */
  static int modelFirstRefused(List<Boolean> failures, int window, int minimum, double rate) {
    Deque<Boolean> last = new ArrayDeque<>();
    for (int i = 0; i < failures.size(); i++) {
      last.addLast(failures.get(i));
      if (last.size() > window) {
        last.removeFirst();
      }
      long failed = last.stream().filter(f -> f).count();
      if (last.size() >= minimum && failed * 100.0 / last.size() >= rate) {
        return i + 1 < failures.size() ? i + 1 : -1;
      }
    }
    return -1;
  }

  @Property(tries = 300)
  void theProxiedBreakerOpensExactlyWhenTheModelDoes(
      @ForAll @Size(min = 1, max = 60) List<Boolean> failures,
      @ForAll @IntRange(min = 1, max = 12) int window,
      @ForAll @IntRange(min = 1, max = 12) int minimumWanted,
      @ForAll @IntRange(min = 10, max = 100) int rate) {
    int minimum = Math.min(minimumWanted, window);
    BrownoutConfig config =
        BrownoutConfig.builder()
            .declare(DegradeConfig.keys())
            .set(DegradeConfig.BREAKER_WINDOW, window)
            .set(DegradeConfig.BREAKER_MINIMUM_CALLS, minimum)
            .set(DegradeConfig.BREAKER_FAILURE_RATE, (double) rate)
            .build();
    try (Resilience resilience =
        Resilience.builder(InMemoryStateStore.create())
            .config(config)
            .circuitBreaker("api")
            .build()) {
      Api api =
          GuardedProxies.builder()
              .add(resilience.guards())
              .build()
              .proxy(
                  Api.class,
                  fail -> {
                    if (fail) {
                      throw new IllegalStateException("down");
                    }
                    return "ok";
                  });
      int refused = -1;
      for (int i = 0; i < failures.size(); i++) {
        try {
          api.call(failures.get(i));
        } catch (CallNotPermittedException e) {
          refused = i;
          break;
        } catch (IllegalStateException expected) {
          // the dependency's own failure, recorded by the breaker
        }
      }
      assertThat(refused).isEqualTo(modelFirstRefused(failures, window, minimum, rate));
    }
  }
}
