package dev.brownout.state.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.brownout.state.Namespace;
import dev.brownout.state.StateThrottledException;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A local HTTP server that answers every call as an overloaded DynamoDB would: the SDK retries,
 * then the store reports {@link StateThrottledException}, also when the retries run out of time
 * rather than attempts; a table that does not exist is named.
 */
class DynamoDbThrottlingTest {
  HttpServer server;

  /** Calls of the operation under test; the store's start-up TTL check is not counted. */
  final AtomicInteger updates = new AtomicInteger();

  volatile String errorType = "ProvisionedThroughputExceededException";
  volatile long delayMillis;
  volatile boolean hang;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext(
        "/",
        exchange -> {
          String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
          if (target != null && !target.endsWith("DescribeTimeToLive")) {
            updates.incrementAndGet();
          }
          exchange.getRequestBody().readAllBytes();
          try {
            if (hang) {
              TimeUnit.SECONDS.sleep(30);
            }
            TimeUnit.MILLISECONDS.sleep(delayMillis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body =
              ("{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                      + errorType
                      + "\",\"message\":\"simulated\"}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
          exchange.sendResponseHeaders(400, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  DynamoDbStateStore store(Duration timeout) {
    return DynamoDbStateStore.builder()
        .endpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
        .table("throttled")
        .timeout(timeout)
        .build();
  }

  @Test
  void throttlingIsRetriedByTheSdkThenReportedTyped() {
    try (DynamoDbStateStore store = store(Duration.ofSeconds(20))) {
      assertThatThrownBy(
              () ->
                  store.update(
                      Namespace.large("sessions"), "s1", Update.builder().set("a", "1").build()))
          .isInstanceOf(StateThrottledException.class)
          .hasMessageContaining("throttled");
    }
    assertThat(updates.get()).as("the SDK retried, three attempts in all").isEqualTo(3);
  }

  @Test
  void throttlingThatOutlastsTheTimeoutIsStillReportedAsThrottling() {
    // Each answer takes 400 ms: the third attempt is still waiting when the 1 s timeout ends the
    // call, and the SDK's timeout exception alone would say only that DynamoDB did not answer.
    delayMillis = 400;
    try (DynamoDbStateStore store = store(Duration.ofSeconds(1))) {
      assertThatThrownBy(
              () ->
                  store.update(
                      Namespace.large("sessions"), "s1", Update.builder().set("a", "1").build()))
          .isInstanceOf(StateThrottledException.class)
          .hasMessageContaining("ProvisionedThroughputExceededException")
          .hasMessageContaining("ran out of the PT1S timeout");
    }
    // The message says the timeout, not the attempts, ended it; how many fitted depends on the
    // machine.
    assertThat(updates.get()).as("attempts before the timeout").isBetween(1, 3);
  }

  @Test
  void aTableThatNeverAnswersIsUnavailableNotThrottled() {
    hang = true;
    try (DynamoDbStateStore store = store(Duration.ofMillis(500))) {
      assertThatThrownBy(() -> store.read(Namespace.large("sessions"), "s1"))
          .isExactlyInstanceOf(StateUnavailableException.class)
          .hasMessageContaining("within PT0.5S");
    }
  }

  @Test
  void aMissingTableIsNamedWithTheFix() {
    errorType = "ResourceNotFoundException";
    try (DynamoDbStateStore store = store(Duration.ofSeconds(20))) {
      assertThatThrownBy(() -> store.read(Namespace.large("sessions"), "s1"))
          .isExactlyInstanceOf(StateUnavailableException.class)
          .hasMessageContaining("table throttled does not exist")
          .hasMessageContaining("createTable");
    }
  }
}
