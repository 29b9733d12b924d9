package dev.brownout.examples.booking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brownout.degrade.ReadMode;
import dev.brownout.state.InMemoryStateStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class PendingChargesTest {

  @Test
  void aClaimWhoseResultWasNeverWrittenIsChargedOnceItsLeaseRunsOut() throws Exception {
    Database db = Database.open("jdbc:h2:mem:pending-charges;DB_CLOSE_DELAY=-1");
    List<Long> charged = new CopyOnWriteArrayList<>();
    Payments payments =
        booking -> {
          charged.add(booking);
          return "paid";
        };
    try (InMemoryStateStore store = InMemoryStateStore.create();
        ReadMode readMode = ReadMode.builder(store).build();
        PendingCharges charges = new PendingCharges(db, payments, readMode);
        Connection c = db.getConnection();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO booking(id, guest, listing, nights, payment, claimed_at)"
                    + " VALUES (?, 'ada', 1, 2, 'charging', ?)")) {
      // Claimed a minute ago by a server whose write of the result never landed, and claimed
      // just now by a server still charging it.
      insert.setLong(1, 1001);
      insert.setLong(2, System.currentTimeMillis() - 60_000);
      insert.executeUpdate();
      insert.setLong(1, 1002);
      insert.setLong(2, System.currentTimeMillis());
      insert.executeUpdate();

      charges.run();

      assertThat(charged).containsExactly(1001L);
      assertThat(db.unpaid()).isEqualTo(1);
      assertThat(db.exists(1001)).isTrue();
    }
  }
}
