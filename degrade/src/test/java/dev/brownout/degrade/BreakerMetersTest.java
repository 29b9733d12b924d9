package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.InMemoryStateStore;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.EventProcessor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A breaker's meters keep Resilience4j's names and kinds, but are counted by the guard that made
 * the call, with no event listener on the breaker (so Resilience4j builds no event per call).
 */
class BreakerMetersTest {
  /** A vendor whose answer is told by its argument. */
  public interface Vendor {
    @CircuitBreaker("vendor")
    String call(String what) throws IOException;

    @CircuitBreaker("vendor")
    CompletionStage<String> callAsync(String what);
  }

  static final class ToldVendor implements Vendor {
    @Override
    public String call(String what) throws IOException {
      return switch (what) {
        case "fail" -> throw new IOException("vendor down");
        case "ignore" -> throw new IllegalStateException("not the vendor's fault");
        default -> what;
      };
    }

    @Override
    public CompletionStage<String> callAsync(String what) {
      try {
        return CompletableFuture.completedFuture(call(what));
      } catch (IOException | RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }

  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final Resilience resilience =
      Resilience.builder(InMemoryStateStore.create())
          .metrics(BrownoutMetrics.of(meters))
          .circuitBreaker(
              "vendor",
              CircuitBreakerConfig.custom()
                  .slidingWindowSize(20)
                  .minimumNumberOfCalls(20)
                  .failureRateThreshold(50)
                  .ignoreExceptions(IllegalStateException.class)
                  .build())
          .build();
  final Vendor vendor =
      GuardedProxies.builder()
          .add(resilience.guards())
          .build()
          .proxy(Vendor.class, new ToldVendor());

  @AfterEach
  void close() {
    resilience.close();
  }

  long calls(String kind) {
    Timer timer =
        meters
            .find("resilience4j.circuitbreaker.calls")
            .tag("name", "vendor")
            .tag("kind", kind)
            .timer();
    assertThat(timer).as("the %s calls timer", kind).isNotNull();
    return timer.count();
  }

  double gauge(String name, String tag, String value) {
    return meters.find(name).tag("name", "vendor").tag(tag, value).gauge().value();
  }

  @Test
  void callsAreCountedByKindWithoutAListenerOnTheBreaker() throws IOException {
    for (int i = 0; i < 3; i++) {
      assertThat(vendor.call("ok")).isEqualTo("ok");
    }
    assertThatThrownBy(() -> vendor.call("ignore")).isInstanceOf(IllegalStateException.class);
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> vendor.call("fail")).isInstanceOf(IOException.class);
    }
    vendor.callAsync("ok").toCompletableFuture().join();
    assertThatThrownBy(() -> vendor.callAsync("fail").toCompletableFuture().join())
        .hasCauseInstanceOf(IOException.class);
    assertThatThrownBy(() -> vendor.callAsync("ignore").toCompletableFuture().join())
        .hasCauseInstanceOf(IllegalStateException.class);

    assertThat(calls("successful")).isEqualTo(4);
    assertThat(calls("failed")).isEqualTo(3);
    assertThat(calls("ignored")).isEqualTo(2);
    assertThat(gauge("resilience4j.circuitbreaker.buffered.calls", "kind", "successful"))
        .as("Resilience4j's own window agrees")
        .isEqualTo(4);
    assertThat(gauge("resilience4j.circuitbreaker.buffered.calls", "kind", "failed")).isEqualTo(3);
    assertThat(
            ((EventProcessor<?>) resilience.circuitBreaker("vendor").getEventPublisher())
                .hasConsumers())
        .as("nothing listens per call, so Resilience4j makes no event objects")
        .isFalse();
  }

  @Test
  void refusedCallsAndTheStateAreMetered() {
    assertThat(gauge("resilience4j.circuitbreaker.state", "state", "closed")).isEqualTo(1);
    resilience.circuitBreaker("vendor").transitionToOpenState();
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(() -> vendor.call("ok")).isInstanceOf(CallNotPermittedException.class);
    }
    assertThatThrownBy(() -> vendor.callAsync("ok").toCompletableFuture().join())
        .hasCauseInstanceOf(CallNotPermittedException.class);

    Counter refused =
        meters
            .find("resilience4j.circuitbreaker.not.permitted.calls")
            .tag("name", "vendor")
            .counter();
    assertThat(refused.count()).isEqualTo(6);
    assertThat(gauge("resilience4j.circuitbreaker.state", "state", "open")).isEqualTo(1);
    assertThat(gauge("resilience4j.circuitbreaker.state", "state", "closed")).isZero();
    assertThat(calls("successful")).as("a refused call is not a call").isZero();
  }

  @Test
  void resilience4jsOwnBindingCanShareTheRegistry() throws IOException {
    // An application with Resilience4j's Spring module binds its breakers to the same registry,
    // under the same names: the meters must be of the same types to live side by side.
    var theirs = io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry.ofDefaults();
    theirs.circuitBreaker("vendor");
    theirs.circuitBreaker("another");
    io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(
            theirs)
        .bindTo(meters);
    vendor.call("ok");
    assertThat(calls("successful")).isEqualTo(1);
    assertThat(meters.find("resilience4j.circuitbreaker.calls").tag("name", "another").timers())
        .isNotEmpty();
  }

  @Test
  void withCallTimersOffTheBreakerStillCountsButNoCallIsTimed() throws IOException {
    SimpleMeterRegistry untimed = new SimpleMeterRegistry();
    try (Resilience quiet =
        Resilience.builder(InMemoryStateStore.create())
            .config(
                dev.brownout.core.config.BrownoutConfig.builder()
                    .set(DegradeConfig.CALL_TIMERS, false)
                    .build())
            .metrics(BrownoutMetrics.of(untimed))
            .circuitBreaker(
                "vendor",
                CircuitBreakerConfig.custom()
                    .slidingWindowSize(4)
                    .minimumNumberOfCalls(4)
                    .failureRateThreshold(50)
                    .build())
            .build()) {
      Vendor proxied =
          GuardedProxies.builder()
              .add(quiet.guards())
              .build()
              .proxy(Vendor.class, new ToldVendor());
      assertThat(proxied.call("ok")).isEqualTo("ok");
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> proxied.call("fail")).isInstanceOf(IOException.class);
      }
      assertThat(untimed.find("resilience4j.circuitbreaker.calls").timers())
          .as("no call timers")
          .isEmpty();
      assertThat(
              untimed
                  .find("resilience4j.circuitbreaker.buffered.calls")
                  .tag("name", "vendor")
                  .tag("kind", "failed")
                  .gauge()
                  .value())
          .isEqualTo(3);
      assertThat(quiet.circuitBreaker("vendor").getState())
          .as("the failures still open the breaker")
          .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);
      assertThatThrownBy(() -> proxied.call("ok")).isInstanceOf(CallNotPermittedException.class);
    }
  }
}
