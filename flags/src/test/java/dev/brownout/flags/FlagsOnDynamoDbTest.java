package dev.brownout.flags;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.state.dynamodb.DynamoDbStateStore;
import dev.brownout.state.testservers.DynamoDbLocalServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two servers sharing one DynamoDB Local table: a flip on one reaches the other by polling. */
class FlagsOnDynamoDbTest {
  DynamoDbLocalServer dynamo;
  URI endpoint;
  final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    dynamo = new DynamoDbLocalServer();
    endpoint = dynamo.endpoint();
    try (DynamoDbStateStore setup =
        DynamoDbStateStore.builder().endpoint(endpoint).table("flags").build()) {
      DynamoDbStateStore.createTable(setup.client(), "flags");
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    dynamo.stop();
  }

  Flags server() {
    DynamoDbStateStore store =
        DynamoDbStateStore.builder()
            .endpoint(endpoint)
            .table("flags")
            .pollInterval(Duration.ofMillis(100))
            .build();
    Flags flags = Flags.builder(store).build();
    closing.add(flags);
    closing.add(store);
    return flags;
  }

  @Test
  void aFlipOnOneServerReachesTheOtherWithinAPollInterval() throws Exception {
    Flags first = server();
    Flags second = server();
    first.admin().create(FlagDefinition.on("search"));
    FlagsOnRedisTest.await(
        "the new flag reaches the second server",
        () -> second.isEnabled("search", FlagContext.of("a")));

    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      boolean on = i % 2 == 1;
      long start = System.nanoTime();
      first.admin().update("search", f -> f.withEnabled(on), OptionalLong.empty(), false);
      FlagsOnRedisTest.await(
          "flip " + i + " reaches the second server",
          () -> second.isEnabled("search", FlagContext.of("a")) == on);
      micros.add((System.nanoTime() - start) / 1_000);
    }
    Collections.sort(micros);
    System.out.printf(
        "flag propagation over DynamoDB Local (poll every 100 ms ±20%%): p50 %.1f ms, p99 %.1f ms (n=%d)%n",
        micros.get(14) / 1000.0, micros.get(29) / 1000.0, micros.size());
    assertThat(micros).hasSize(30);
  }
}
