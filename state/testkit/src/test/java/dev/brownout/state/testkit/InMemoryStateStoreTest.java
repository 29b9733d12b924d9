package dev.brownout.state.testkit;

import dev.brownout.state.StateStore;

/** The contract on the in-memory store. */
class InMemoryStateStoreTest extends StateStoreContract {
  @Override
  protected StateStore openStore() {
    return SharedMemoryStore.client();
  }
}
