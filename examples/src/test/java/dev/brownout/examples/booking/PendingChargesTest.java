package dev.brownout.examples.booking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.core.guard.GuardedProxies;
import dev.brownout.degrade.IdempotencyKey;
import dev.brownout.degrade.ReadMode;
import dev.brownout.degrade.Resilience;
import dev.brownout.state.InMemoryStateStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class PendingChargesTest {
  /** A provider that records each call's booking and idempotency key. */
  static final class Recording implements PaymentProvider.Client {
    final String name;
    final List<String> calls = new CopyOnWriteArrayList<>();

    Recording(String name) {
      this.name = name;
    }

    @Override
    public String charge(long booking, String guest) {
      calls.add(booking + " " + IdempotencyKey.current().orElse("none"));
      return name + "-charge-" + booking;
    }
  }

  @Test
  void aClaimWhoseResultWasNeverWrittenIsChargedOnceItsLeaseRunsOutWithTheBookingsKey()
      throws Exception {
    Database db = Database.open("jdbc:h2:mem:pending-charges;DB_CLOSE_DELAY=-1");
    Recording primary = new Recording("primary");
    Recording secondary = new Recording("secondary");
    try (InMemoryStateStore store = InMemoryStateStore.create();
        ReadMode readMode = ReadMode.builder(store).build();
        Resilience resilience =
            Resilience.builder(store)
                .timeout(PaymentProvider.TIMEOUT, Duration.ofSeconds(1))
                .build()) {
      GuardedProxies guards = GuardedProxies.builder().add(resilience.guards()).build();
      Checkout checkout =
          new Checkout(
              resilience,
              List.of(
                  new PaymentProvider("primary", primary, guards),
                  new PaymentProvider("secondary", secondary, guards)));
      try (PendingCharges charges = new PendingCharges(db, checkout, readMode);
          Connection c = db.getConnection();
          PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO booking(id, guest, listing, nights, payment, claimed_at, provider)"
                      + " VALUES (?, 'ada', 1, 2, ?, ?, ?)")) {
        // Claimed a minute ago by a server whose write of the result never landed; claimed just
        // now by a server still charging it; and pending with a charge the secondary may hold.
        insert(insert, 1001, "charging", System.currentTimeMillis() - 60_000, null);
        insert(insert, 1002, "charging", System.currentTimeMillis(), null);
        insert(insert, 1003, "pending", null, "secondary");

        charges.run();

        assertThat(primary.calls).containsExactly("1001 stays-booking-1001");
        assertThat(secondary.calls)
            .as("settled with the provider that may hold it, with the same key")
            .containsExactly("1003 stays-booking-1003");
        assertThat(db.payments())
            .containsEntry(1001L, "primary-charge-1001")
            .containsEntry(1002L, "charging")
            .containsEntry(1003L, "secondary-charge-1003");
        assertThat(db.unpaid()).isEqualTo(1);
      }
    }
  }

  private static void insert(
      PreparedStatement insert, long id, String payment, Long claimedAt, String provider)
      throws Exception {
    insert.setLong(1, id);
    insert.setString(2, payment);
    insert.setObject(3, claimedAt);
    insert.setString(4, provider);
    insert.executeUpdate();
  }
}
