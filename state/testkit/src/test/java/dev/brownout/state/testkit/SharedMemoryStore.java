package dev.brownout.state.testkit;

import dev.brownout.state.ForwardingStateStore;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.StateStore;

/** One in-memory store shared by every "client", as clients share a server. */
final class SharedMemoryStore {
  private static final InMemoryStateStore SHARED = InMemoryStateStore.create();

  private SharedMemoryStore() {}

  /** A client of the shared store; closing it leaves the store open. */
  static StateStore client() {
    return new ForwardingStateStore(SHARED) {
      @Override
      public void close() {}
    };
  }
}
