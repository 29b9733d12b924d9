package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.state.InMemoryStateStore;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An asynchronous retry's attempts share one idempotency key, though the retries run on the
 * scheduler's thread and the key is made only when an attempt first asks for it.
 */
class AsyncIdempotencyKeyTest {
  final InMemoryStateStore store = InMemoryStateStore.create();
  final Resilience resilience =
      Resilience.builder(store)
          .retry(
              "vendor",
              RetryConfig.custom()
                  .maxAttempts(3)
                  .waitDuration(Duration.ofMillis(5))
                  .retryExceptions(IOException.class)
                  .build())
          .retryBudgetMinPerSecond(1000)
          .build();

  @AfterEach
  void close() {
    resilience.close();
    store.close();
  }

  /** The vendor's client. */
  public interface Charges {
    @Retry("vendor")
    CompletionStage<String> charge(String booking);
  }

  /** Fails its first two attempts; the second is the first to read the key. */
  static final class FlakyCharges implements Charges {
    final List<String> keys = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<String> charge(String booking) {
      int attempt = threads.size() + 1;
      threads.add(Thread.currentThread().getName());
      if (attempt >= 2) {
        keys.add(IdempotencyKey.current().orElse("none"));
      }
      if (attempt < 3) {
        return CompletableFuture.failedFuture(new IOException("reset, attempt " + attempt));
      }
      return CompletableFuture.completedFuture("charged " + booking);
    }
  }

  @Test
  void attemptsOnOtherThreadsShareTheKeyMadeWhenFirstAskedFor() throws Exception {
    FlakyCharges vendor = new FlakyCharges();
    Charges charges =
        GuardedProxies.builder().add(resilience.guards()).build().proxy(Charges.class, vendor);

    assertThat(charges.charge("b-1").toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEqualTo("charged b-1");

    assertThat(vendor.threads).hasSize(3);
    assertThat(vendor.threads.get(1)).isNotEqualTo(Thread.currentThread().getName());
    assertThat(vendor.keys).hasSize(2).doesNotContain("none");
    assertThat(vendor.keys.get(0)).isEqualTo(vendor.keys.get(1));
    assertThat(IdempotencyKey.current()).as("nothing left behind on the caller").isEmpty();
  }

  @Test
  void eachCallHasItsOwnKey() throws Exception {
    FlakyCharges first = new FlakyCharges();
    FlakyCharges second = new FlakyCharges();
    GuardedProxies proxies = GuardedProxies.builder().add(resilience.guards()).build();
    proxies
        .proxy(Charges.class, first)
        .charge("b-1")
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
    proxies
        .proxy(Charges.class, second)
        .charge("b-2")
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);

    assertThat(first.keys.get(0)).isNotEqualTo(second.keys.get(0));
  }
}
