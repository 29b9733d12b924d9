package dev.brownout.examples.booking;

import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.degrade.CallTimeoutException;
import dev.brownout.degrade.InjectedFaultException;
import dev.brownout.degrade.Timeout;
import java.io.IOException;
import java.net.ConnectException;

/**
 * One provider in the failover chain: its client, each attempt bounded by the {@code payments}
 * timeout (an operator can change it at run time), and a timeout reported as what it is for money:
 * the provider may have charged. A game day's injected fault (an exception or a refused connection
 * in {@code Client.charge}) happens where the call would have been made, before anything reached
 * the provider, so it is what it stands for: nothing was charged, and the chain may ask the next
 * provider.
 */
final class PaymentProvider implements Payments {
  /** The name of the timeout declared for every attempt at a provider. */
  static final String TIMEOUT = "payments";

  /** One provider's charge call. */
  public interface Client {
    /** Charges, as {@link Payments#charge}; one attempt at one provider. */
    @Timeout(TIMEOUT)
    String charge(long booking, String guest) throws IOException;
  }

  private final String name;
  private final Client client;

  PaymentProvider(String name, Client client, GuardedProxies guards) {
    this.name = name;
    this.client = guards.proxy(Client.class, client);
  }

  /** The provider's name, which is also its breaker's. */
  String name() {
    return name;
  }

  @Override
  public String charge(long booking, String guest) throws IOException {
    try {
      return client.charge(booking, guest);
    } catch (CallTimeoutException e) {
      throw new ChargeOutcomeUnknownException(name, e.getMessage(), e);
    } catch (InjectedFaultException | ConnectException e) {
      // HttpPayments reports a real refused connection as PaymentUnavailableException itself.
      throw new PaymentUnavailableException(name, e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "PaymentProvider[" + name + "]";
  }
}
