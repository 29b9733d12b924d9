package dev.brownout.spring.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.flags.FlagContext;
import dev.brownout.flags.FlagDefinition;
import dev.brownout.flags.Flags;
import dev.brownout.state.StateStore;
import dev.brownout.state.dynamodb.DynamoDbStateStore;
import dev.brownout.state.testservers.DynamoDbLocalServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code brownout.store=dynamodb://host:port} as a Boot application sets it: two applications on
 * one DynamoDB Local share their flags through the store the starter builds.
 */
class DynamoDbStoreTest {
  /** An application with no Brownout wiring of its own. */
  @SpringBootApplication
  static class Application {}

  @Test
  void twoApplicationsShareAFlagThroughTheDynamoDbStore() throws Exception {
    try (DynamoDbLocalServer local = new DynamoDbLocalServer()) {
      try (DynamoDbStateStore setup =
          DynamoDbStateStore.builder()
              .table("stays")
              .region("eu-west-1")
              .endpoint(local.endpoint())
              .build()) {
        DynamoDbStateStore.createTable(setup.client(), "stays");
      }
      String store = "dynamodb://127.0.0.1:" + local.endpoint().getPort();
      try (ConfigurableApplicationContext first = start(store);
          ConfigurableApplicationContext second = start(store)) {
        assertThat(first.getBean(StateStore.class).getClass().getName())
            .as("the starter's store, metered")
            .contains("Metered");
        first.getBean(Flags.class).admin().create(FlagDefinition.on("instant-book"));

        Flags other = second.getBean(Flags.class);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!other.isEnabled("instant-book", FlagContext.of("ada"))
            && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(other.isEnabled("instant-book", FlagContext.of("ada")))
            .as("the second application sees the flag the first created")
            .isTrue();
      }
    }
  }

  private static ConfigurableApplicationContext start(String store) {
    return new SpringApplicationBuilder(Application.class)
        .web(WebApplicationType.NONE)
        .properties(
            "spring.config.name=none",
            "brownout.store=" + store,
            "brownout.state.dynamodb.table=stays",
            "brownout.state.dynamodb.region=eu-west-1")
        .run();
  }
}
