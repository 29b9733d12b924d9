package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.redis.RedisStateStore;
import dev.brownout.state.testservers.RedisTestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two servers sharing one real Redis agree on the mode. */
class ReadModeOnRedisTest {
  RedisTestServer redis;
  final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() {
    redis = new RedisTestServer();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    redis.close();
  }

  ReadMode server() {
    RedisStateStore store =
        RedisStateStore.builder().uri(redis.uri()).timeout(Duration.ofSeconds(1)).build();
    ReadMode mode = ReadMode.builder().store(store).refreshInterval(Duration.ofSeconds(1)).build();
    closing.add(0, store);
    closing.add(0, mode);
    return mode;
  }

  @Test
  void aManualReasonSetOnOneServerIsHonouredByTheOtherAndClearingItClearsOnlyIt() throws Exception {
    ReadMode first = server();
    ReadMode second = server();
    first.enter(
        new ReadOnlyReason(
            "db-move",
            ReadOnlyReason.Kind.MANUAL,
            "ops",
            Instant.now(),
            "Moving databases.",
            null,
            null));
    await(second::isBrowseOnly);

    second.enter(
        new ReadOnlyReason(
            "payments",
            ReadOnlyReason.Kind.MAINTENANCE,
            "ops",
            Instant.now(),
            "Payments upgrade.",
            Instant.now().plusSeconds(600),
            null));
    await(() -> first.reasons().size() == 2);

    first.leave("db-move");
    await(() -> second.reasons().size() == 1);
    assertThat(second.isBrowseOnly()).isTrue();
    assertThat(second.reasons()).extracting(ReadOnlyReason::id).containsExactly("payments");

    second.leave("payments");
    await(() -> !first.isBrowseOnly());
  }

  @Test
  void anAutomaticReasonLapsesEverywhereWhenItsSetterStopsRenewing() throws Exception {
    ReadMode first = server();
    ReadMode second = server();
    Instant now = Instant.now();
    first.enter(
        new ReadOnlyReason(
            WritePath.REASON_ID,
            ReadOnlyReason.Kind.AUTOMATIC,
            "write-path breaker",
            now,
            "Paused.",
            null,
            now.plusSeconds(2)));
    await(second::isBrowseOnly);
    // Nobody renews: the record expires in Redis and both servers return to read-write.
    await(() -> !first.isBrowseOnly() && !second.isBrowseOnly());
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition met within 15 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
