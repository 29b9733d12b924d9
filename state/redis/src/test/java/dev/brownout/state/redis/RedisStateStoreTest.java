package dev.brownout.state.redis;

import dev.brownout.state.StateStore;
import dev.brownout.state.testkit.StateStoreContract;
import dev.brownout.state.testservers.RedisTestServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;

/** The contract on a real Redis server, started for this class. */
class RedisStateStoreTest extends StateStoreContract {
  static final Duration TIMEOUT = Duration.ofMillis(1500);
  private static RedisTestServer server;

  private static synchronized RedisTestServer server() {
    if (server == null) {
      server = new RedisTestServer();
    }
    return server;
  }

  @AfterAll
  static void stopServerAfterAll() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  @Override
  protected StateStore openStore() {
    return RedisStateStore.builder().uri(server().uri()).timeout(TIMEOUT).build();
  }

  @Override
  protected boolean canStopServer() {
    return true;
  }

  @Override
  protected void stopServer() {
    server().stop();
  }

  @Override
  protected void startServer() {
    server().start();
  }

  @Override
  protected Duration operationTimeout() {
    return TIMEOUT;
  }
}
