package dev.brownout.session;

import dev.brownout.state.StateStore;
import dev.brownout.state.dynamodb.DynamoDbStateStore;
import dev.brownout.state.testservers.DynamoDbLocalServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The session contract on DynamoDB Local, in process, each server with its own client. */
class DynamoDbSessionTest extends SessionContract {
  static final String TABLE = "sessions";
  static DynamoDbLocalServer dynamo;

  @BeforeAll
  static void startDynamo() {
    dynamo = new DynamoDbLocalServer();
    try (DynamoDbStateStore setup =
        DynamoDbStateStore.builder().endpoint(dynamo.endpoint()).table(TABLE).build()) {
      DynamoDbStateStore.createTable(setup.client(), TABLE);
    }
  }

  @AfterAll
  static void stopDynamo() {
    dynamo.close();
  }

  @Override
  StateStore client() {
    DynamoDbStateStore store =
        DynamoDbStateStore.builder()
            .endpoint(dynamo.endpoint())
            .table(TABLE)
            .timeout(Duration.ofSeconds(10))
            .build();
    closing.add(store);
    return store;
  }
}
