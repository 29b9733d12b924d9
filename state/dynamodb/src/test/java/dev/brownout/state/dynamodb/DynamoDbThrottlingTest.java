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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A local HTTP server that answers every call as an overloaded DynamoDB would: the SDK retries,
 * then the store reports {@link StateThrottledException}; a table that does not exist is named.
 */
class DynamoDbThrottlingTest {
  HttpServer server;
  final AtomicInteger requests = new AtomicInteger();
  volatile String errorType = "ProvisionedThroughputExceededException";

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          byte[] body =
              ("{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                      + errorType
                      + "\",\"message\":\"simulated\"}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
          exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
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

  DynamoDbStateStore store() {
    return DynamoDbStateStore.builder()
        .endpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
        .table("throttled")
        .timeout(Duration.ofSeconds(20))
        .build();
  }

  @Test
  void throttlingIsRetriedByTheSdkThenReportedTyped() {
    try (DynamoDbStateStore store = store()) {
      assertThatThrownBy(
              () ->
                  store.update(
                      Namespace.large("sessions"), "s1", Update.builder().set("a", "1").build()))
          .isInstanceOf(StateThrottledException.class)
          .hasMessageContaining("throttled");
    }
    assertThat(requests.get()).as("the SDK retried, three attempts in all").isEqualTo(3);
  }

  @Test
  void aMissingTableIsNamedWithTheFix() {
    errorType = "ResourceNotFoundException";
    try (DynamoDbStateStore store = store()) {
      assertThatThrownBy(() -> store.read(Namespace.large("sessions"), "s1"))
          .isExactlyInstanceOf(StateUnavailableException.class)
          .hasMessageContaining("table throttled does not exist")
          .hasMessageContaining("createTable");
    }
  }
}
