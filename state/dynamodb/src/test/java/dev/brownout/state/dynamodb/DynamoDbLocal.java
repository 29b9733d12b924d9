package dev.brownout.state.dynamodb;

import dev.brownout.state.testservers.DynamoDbLocalServer;
import dev.brownout.state.testservers.FaultProxy;
import java.net.URI;
import java.time.Duration;

/**
 * DynamoDB Local in this JVM with Brownout's table created. It can be stopped and started again on
 * the same port (the data does not survive).
 */
final class DynamoDbLocal implements AutoCloseable {
  static final String TABLE = "brownout-test";

  private final DynamoDbLocalServer server = new DynamoDbLocalServer();
  private final FaultProxy proxy = FaultProxy.to(server.endpoint().getPort());

  DynamoDbLocal() {
    createTable();
  }

  /** DynamoDB Local through the fault proxy, as every store the tests make reaches it. */
  URI endpoint() {
    return URI.create(proxy.uri("http"));
  }

  FaultProxy proxy() {
    return proxy;
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
    proxy.close();
    stop();
  }
}
