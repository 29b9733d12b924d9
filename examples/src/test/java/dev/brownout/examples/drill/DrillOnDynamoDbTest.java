package dev.brownout.examples.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import dev.brownout.state.dynamodb.DynamoDbStateStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The short drill on a {@code dynamodb://} store: DynamoDB Local stopped under both servers and
 * started again. Sessions there have no near cache, so while it is away every signed-in request is
 * refused politely ({@code 503} problem+json), flags answer from their snapshot, and the servers
 * come back when it does.
 */
class DrillOnDynamoDbTest {
  /**
   * DynamoDB Local in this JVM, keeping its tables in a directory, so that stopping and starting it
   * is an outage, not a new, empty database ({@code DynamoDbLocalServer} runs it in memory).
   */
  static final class DynamoDbOnDisk implements Drill.Store {
    static final String TABLE = "brownout";

    private final Path dir;
    private final int port;
    private DynamoDBProxyServer server;

    DynamoDbOnDisk() throws IOException {
      this.dir = Files.createTempDirectory("brownout-drill-dynamodb");
      try (ServerSocket socket = new ServerSocket(0)) {
        this.port = socket.getLocalPort();
      }
      start();
      // The table made once, unhurried: a first table on disk takes DynamoDB Local a while.
      try (DynamoDbStateStore store =
          DynamoDbStateStore.builder()
              .endpoint(URI.create("http://127.0.0.1:" + port))
              .table(TABLE)
              .timeout(Duration.ofSeconds(60))
              .build()) {
        DynamoDbStateStore.createTable(store.client(), TABLE);
      }
    }

    @Override
    public String name() {
      return "DynamoDB";
    }

    @Override
    public String uri() {
      return "dynamodb://127.0.0.1:" + port;
    }

    @Override
    public void start() {
      try {
        server =
            ServerRunner.createServerFromCommandLineArgs(
                new String[] {"-sharedDb", "-dbPath", dir.toString(), "-port", "" + port});
        server.start();
      } catch (Exception e) {
        throw new IllegalStateException("cannot start DynamoDB Local on " + port, e);
      }
    }

    @Override
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

  @Test
  void dynamoDbStoppedRefusesSessionsPolitelyKeepsFlagsAndComesBack() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    boolean passed;
    try (DynamoDbOnDisk dynamo = new DynamoDbOnDisk()) {
      passed = Drill.runOn(dynamo, 1, out);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    String report = bytes.toString(StandardCharsets.UTF_8);
    System.out.println(report);
    assertThat(report).contains("2 DynamoDB stopped").contains("charged exactly once");
    assertThat(passed).as(report).isTrue();
  }
}
