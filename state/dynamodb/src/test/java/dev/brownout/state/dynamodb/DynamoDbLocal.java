package dev.brownout.state.dynamodb;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;

/**
 * DynamoDB Local in this JVM, in memory, on a free loopback port, with Brownout's table created. It
 * can be stopped and started again on the same port (the data does not survive).
 */
final class DynamoDbLocal implements AutoCloseable {
  static final String TABLE = "brownout-test";

  private final int port;
  private DynamoDBProxyServer server;

  DynamoDbLocal() {
    this.port = freePort();
    start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  DynamoDbStateStore.Builder storeBuilder(Duration timeout) {
    return DynamoDbStateStore.builder()
        .endpoint(endpoint())
        .table(TABLE)
        .timeout(timeout)
        .pollInterval(Duration.ofMillis(100));
  }

  void start() {
    try {
      server =
          ServerRunner.createServerFromCommandLineArgs(
              new String[] {"-inMemory", "-port", Integer.toString(port)});
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start DynamoDB Local on port " + port, e);
    }
    try (DynamoDbStateStore store = storeBuilder(Duration.ofSeconds(10)).build()) {
      DynamoDbStateStore.createTable(store.client(), TABLE);
    }
  }

  void stop() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop DynamoDB Local", e);
    }
  }

  @Override
  public void close() {
    stop();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
