package dev.brownout.session;

import dev.brownout.state.ForwardingStateStore;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.StateStore;
import org.junit.jupiter.api.BeforeEach;

/** The session contract on the in-memory store, both servers sharing it. */
class MemorySessionTest extends SessionContract {
  InMemoryStateStore store;

  @BeforeEach
  void start() {
    store = InMemoryStateStore.create();
  }

  @Override
  StateStore client() {
    return new ForwardingStateStore(store) {
      @Override
      public void close() {}
    };
  }
}
