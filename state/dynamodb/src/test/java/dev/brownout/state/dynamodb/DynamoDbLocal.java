package dev.brownout.state.dynamodb;

import dev.brownout.state.testservers.DynamoDbLocalServer;
import java.net.URI;
import java.time.Duration;

/**
 * DynamoDB Local in this JVM with Brownout's table created. It can be stopped and started again on
 * the same port (the data does not survive).
 */
final class DynamoDbLocal implements AutoCloseable {
  static final String TABLE = "brownout-test";

  private final DynamoDbLocalServer server = new DynamoDbLocalServer();

  DynamoDbLocal() {
    createTable();
  }

  URI endpoint() {
    return server.endpoint();
  }

  DynamoDbStateStore.Builder storeBuilder(Duration timeout) {
    return DynamoDbStateStore.builder()
        .endpoint(endpoint())
        .table(TABLE)
        .timeout(timeout)
        .pollInterval(Duration.ofMillis(100));
  }

  void start() {
    server.start();
    createTable();
  }

  private void createTable() {
    try (DynamoDbStateStore store = storeBuilder(Duration.ofSeconds(10)).build()) {
      DynamoDbStateStore.createTable(store.client(), TABLE);
    }
  }

  void stop() {
    server.stop();
  }

  @Override
  public void close() {
    stop();
  }
}
