package dev.brownout.degrade;

import dev.brownout.state.ForwardingStateStore;
import dev.brownout.state.Namespace;
import dev.brownout.state.Precondition;
import dev.brownout.state.StateException;
import dev.brownout.state.StateRecord;
import dev.brownout.state.StateStore;
import dev.brownout.state.StateUnavailableException;
import dev.brownout.state.Update;
import dev.brownout.state.WriteResult;
import java.net.ConnectException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A store whose reads, updates, deletes and lists fail, or wait, as running experiments that target
 * its name say: {@code connection} as a {@link StateUnavailableException} (what a store that cannot
 * be reached throws), {@code exception} as a {@link StateException}, {@code latency} as a wait
 * before the real call. Watches and the fault namespace itself are left alone, so an experiment can
 * always be seen and stopped.
 */
final class FaultyStateStore extends ForwardingStateStore {
  private final String name;
  private final FaultInjection faults;

  FaultyStateStore(StateStore delegate, String name, FaultInjection faults) {
    super(delegate);
    this.name = name;
    this.faults = faults;
  }

  private void inject(Namespace namespace, String operation) {
    if (namespace.name().equals(FaultInjection.NAMESPACE_NAME)) {
      return;
    }
    FaultInjection.Compiled hit = faults.forStore(name);
    if (hit == null) {
      return;
    }
    String what =
        operation
            + " on store "
            + name
            + " (injected by fault-injection experiment '"
            + hit.experiment.id()
            + "')";
    switch (hit.experiment.fault()) {
      case "latency" -> {
        try {
          Thread.sleep(hit.experiment.latencyMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StateUnavailableException("interrupted while delayed: " + what, e);
        }
      }
      case "connection" ->
          throw new StateUnavailableException(
              "cannot reach the store: " + what, new ConnectException("Connection refused"));
      default -> throw new StateException("the store failed: " + what, null);
    }
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key) {
    inject(namespace, "read");
    return super.read(namespace, key);
  }

  @Override
  public Optional<StateRecord> read(Namespace namespace, String key, Set<String> fields) {
    inject(namespace, "read");
    return super.read(namespace, key, fields);
  }

  @Override
  public WriteResult update(Namespace namespace, String key, Update update) {
    inject(namespace, "update");
    return super.update(namespace, key, update);
  }

  @Override
  public boolean delete(Namespace namespace, String key, Precondition precondition) {
    inject(namespace, "delete");
    return super.delete(namespace, key, precondition);
  }

  @Override
  public List<StateRecord> list(Namespace namespace) {
    inject(namespace, "list");
    return super.list(namespace);
  }
}
