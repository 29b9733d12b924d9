package dev.brownout.state.testkit;

import dev.brownout.state.ForwardingStateStore;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.StateStore;

/**
 * The contract on the in-memory store. Every "client" shares one store, as clients share a server.
 */
class InMemoryStateStoreTest extends StateStoreContract {
  private static final InMemoryStateStore SHARED = InMemoryStateStore.create();

  @Override
  protected StateStore openStore() {
    return new ForwardingStateStore(SHARED) {
      @Override
      public void close() {
        // The shared store outlives each client.
      }
    };
  }
}
