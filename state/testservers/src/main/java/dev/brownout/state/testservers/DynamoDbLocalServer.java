package dev.brownout.state.testservers;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.net.URI;

/**
 * DynamoDB Local in this JVM, in memory, on a free loopback port. It can be stopped and started
 * again on the same port; the data does not survive. Its native SQLite libraries must be where
 * {@code sqlite4java.library.path} points: the parent POM's {@code dynamodb-local} profile puts
 * them there for any module with a {@code src/test/dynamodb-local} marker file.
 */
public final class DynamoDbLocalServer implements AutoCloseable {
  private final int port;
  private DynamoDBProxyServer server;

  /** Starts a server. */
  public DynamoDbLocalServer() {
    this.port = RedisTestServer.freePort();
    start();
  }

  /** The endpoint to point the SDK at. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Starts the server (again, empty). */
  public void start() {
    try {
      server =
          ServerRunner.createServerFromCommandLineArgs(
              new String[] {"-inMemory", "-port", Integer.toString(port)});
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start DynamoDB Local on port " + port, e);
    }
  }

  /** Stops the server. */
  public void stop() {
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
}
