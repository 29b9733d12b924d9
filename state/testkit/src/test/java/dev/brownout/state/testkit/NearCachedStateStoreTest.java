package dev.brownout.state.testkit;

import dev.brownout.state.NearCache;
import dev.brownout.state.StateStore;

/** The near cache keeps the contract, in front of the in-memory store. */
class NearCachedStateStoreTest extends StateStoreContract {
  @Override
  protected StateStore openStore() {
    return NearCache.builder(SharedMemoryStore.client()).build();
  }
}
