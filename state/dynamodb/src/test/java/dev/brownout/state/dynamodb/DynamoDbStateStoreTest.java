package dev.brownout.state.dynamodb;

import dev.brownout.state.StateStore;
import dev.brownout.state.testkit.StateStoreContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;

/** The contract on DynamoDB Local, started in this JVM for this class. */
class DynamoDbStateStoreTest extends StateStoreContract {
  static final Duration TIMEOUT = Duration.ofMillis(1500);
  private static DynamoDbLocal local;

  private static synchronized DynamoDbLocal local() {
    if (local == null) {
      local = new DynamoDbLocal();
    }
    return local;
  }

  @AfterAll
  static void stopLocal() {
    if (local != null) {
      local.close();
      local = null;
    }
  }

  @Override
  protected StateStore openStore() {
    return local().storeBuilder(TIMEOUT).build();
  }

  /** Polling finds versions, not who wrote them. */
  @Override
  protected boolean passesOrigins() {
    return false;
  }

  @Override
  protected boolean canStopServer() {
    return true;
  }

  @Override
  protected void stopServer() {
    local().stop();
  }

  @Override
  protected void startServer() {
    local().start();
  }

  @Override
  protected Duration operationTimeout() {
    return TIMEOUT;
  }
}
