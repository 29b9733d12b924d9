package dev.brownout.state.testkit;

import java.time.Duration;

/**
 * The network between the clients a {@link StateStoreContract} opens and their server, for a test
 * that can break it: usually a fault proxy in front of the server (the {@code FaultProxy} of
 * Brownout's test servers) that every client connects through. Each method changes what happens
 * from now on; {@link #heal()} undoes all but {@link #strandConnections()}.
 */
public interface NetworkFaults {
  /** Holds every byte for at least {@code latency} in each direction. */
  void latency(Duration latency);

  /** Lets nothing pass on open or new connections; connections stay open. */
  void blackHole();

  /**
   * Makes the connections open now silent for ever, as half-open connections are when the server's
   * host vanished; new connections pass.
   */
  void strandConnections();

  /** Resets every open connection; new ones pass. */
  void cutConnections();

  /** Ends latency and black hole. */
  void heal();
}
