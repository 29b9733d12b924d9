package dev.brownout.state.dynamodb;

import dev.brownout.state.StateStore;
import dev.brownout.state.testkit.NetworkFaults;
import dev.brownout.state.testkit.StateStoreContract;
import java.time.Duration;
import java.util.Optional;
import net.jqwik.api.lifecycle.AfterContainer;
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

  /**
   * After the JUnit tests, and again after jqwik's property (its engine runs after JUnit's and
   * starts the servers again on first use).
   */
  @AfterAll
  @AfterContainer
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
  protected Optional<NetworkFaults> networkFaults() {
    return Optional.of(new ProxiedNetwork(local().proxy()));
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
