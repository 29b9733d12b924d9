package dev.brownout.flags;

import java.util.Optional;
import java.util.Set;

/**
 * How rollout plans learn whether a circuit breaker is open, by name: the application provides it
 * (flags do not depend on the module that owns the breakers), so that a plan stored as data can
 * name a breaker as its guard.
 *
 * <pre>{@code
 * Rollouts.builder(flags)
 *     .breakers(BreakerStates.of(resilience::circuitBreakerNames,
 *         name -> resilience.circuitBreaker(name).getState().name()))
 *     .build();
 * }</pre>
 */
public interface BreakerStates {
  /** The names of the breakers this server has, for validating plans and naming the choices. */
  Set<String> names();

  /**
   * Whether the breaker named {@code name} refuses calls now (open, or forced open); empty if this
   * server has no such breaker.
   */
  Optional<Boolean> open(String name);

  /**
   * Breakers whose state is given by name, as Resilience4j's {@code CircuitBreaker.State} names
   * them: {@code OPEN} and {@code FORCED_OPEN} are open, anything else is not.
   *
   * @param names the breakers there are
   * @param state a breaker's state name; called only for names in {@code names}
   */
  static BreakerStates of(
      java.util.function.Supplier<Set<String>> names,
      java.util.function.Function<String, String> state) {
    return new BreakerStates() {
      @Override
      public Set<String> names() {
        return Set.copyOf(names.get());
      }

      @Override
      public Optional<Boolean> open(String name) {
        if (!names.get().contains(name)) {
          return Optional.empty();
        }
        String now = state.apply(name);
        return Optional.of("OPEN".equals(now) || "FORCED_OPEN".equals(now));
      }
    };
  }
}
