package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.redis.RedisStateStore;
import dev.brownout.state.testservers.Await;
import dev.brownout.state.testservers.RedisTestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
    ReadMode mode = ReadMode.builder(store).refreshInterval(Duration.ofSeconds(1)).build();
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
    Await.until("the manual reason reaches the second server", second::isBrowseOnly);

    second.enter(
        new ReadOnlyReason(
            "payments",
            ReadOnlyReason.Kind.MAINTENANCE,
            "ops",
            Instant.now(),
            "Payments upgrade.",
            Instant.now().plusSeconds(600),
            null));
    Await.until("both reasons reach the first server", () -> first.reasons().size() == 2);

    first.leave("db-move");
    Await.until("the cleared reason leaves the second server", () -> second.reasons().size() == 1);
    assertThat(second.isBrowseOnly()).isTrue();
    assertThat(second.reasons()).extracting(ReadOnlyReason::id).containsExactly("payments");

    second.leave("payments");
    Await.until("the first server is read-write again", () -> !first.isBrowseOnly());
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
    Await.until("the automatic reason reaches the second server", second::isBrowseOnly);
    // Nobody renews: the record expires in Redis and both servers return to read-write.
    Await.until(
        "the unrenewed reason lapses on both servers",
        Duration.ofSeconds(15),
        Duration.ofMillis(50),
        () -> !first.isBrowseOnly() && !second.isBrowseOnly());
  }
}
