package dev.brownout.state.testkit;

import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.MeteredStateStore;
import dev.brownout.state.StateStore;

/** The metered decorator keeps the contract. */
class MeteredStateStoreTest extends StateStoreContract {
  @Override
  protected StateStore openStore() {
    return MeteredStateStore.wrap(SharedMemoryStore.client(), BrownoutMetrics.inMemory());
  }
}
