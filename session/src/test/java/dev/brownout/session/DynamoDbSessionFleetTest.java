package dev.brownout.session;

import dev.brownout.state.StateStore;
import dev.brownout.state.dynamodb.DynamoDbStateStore;
import dev.brownout.state.testservers.DynamoDbLocalServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The fleet promise on DynamoDB Local, in process. */
class DynamoDbSessionFleetTest extends SessionFleetContract {
  static final String TABLE = "fleet-sessions";
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

  /** DynamoDB watches small namespaces only: sessions get no near cache, so no serve-cached. */
  @Override
  boolean nearCacheWatches() {
    return false;
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
