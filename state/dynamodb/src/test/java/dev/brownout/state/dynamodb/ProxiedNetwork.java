package dev.brownout.state.dynamodb;

import dev.brownout.state.testkit.NetworkFaults;
import dev.brownout.state.testservers.FaultProxy;
import java.time.Duration;
import java.util.List;

/** The contract's network faults, made by fault proxies that every client connects through. */
final class ProxiedNetwork implements NetworkFaults {
  private final List<FaultProxy> proxies;

  ProxiedNetwork(List<FaultProxy> proxies) {
    this.proxies = List.copyOf(proxies);
  }

  ProxiedNetwork(FaultProxy proxy) {
    this(List.of(proxy));
  }

  @Override
  public void latency(Duration latency) {
    proxies.forEach(proxy -> proxy.latency(latency));
  }

  @Override
  public void blackHole() {
    proxies.forEach(FaultProxy::blackHole);
  }

  @Override
  public void strandConnections() {
    proxies.forEach(FaultProxy::strandConnections);
  }

  @Override
  public void cutConnections() {
    proxies.forEach(FaultProxy::cutConnections);
  }

  @Override
  public void heal() {
    proxies.forEach(FaultProxy::heal);
  }
}
