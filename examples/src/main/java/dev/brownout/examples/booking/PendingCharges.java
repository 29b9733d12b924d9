package dev.brownout.examples.booking;

import dev.brownout.degrade.ReadMode;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the charges of bookings that were "paid later" once the payment API answers again. Each
 * booking is claimed first ({@code payment = 'pending'} to {@code 'charging'} in one conditional
 * update), so two servers never charge the same booking. Skipped while browse-only.
 */
final class PendingCharges implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PendingCharges.class);
  // Longer than a charge can take (2 s timeout per attempt, with retries).
  private static final Duration CLAIM_LEASE = Duration.ofSeconds(10);

  private final DataSource db;
  private final Payments payments;
  private final ReadMode readMode;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "brownout-demo-pending-charges");
            thread.setDaemon(true);
            return thread;
          });

  PendingCharges(DataSource db, Payments payments, ReadMode readMode) {
    this.db = db;
    this.payments = payments;
    this.readMode = readMode;
    timer.scheduleWithFixedDelay(this::runSafely, 1, 1, TimeUnit.SECONDS);
  }

  private void runSafely() {
    try {
      run();
    } catch (SQLException | IOException | RuntimeException e) {
      log.debug("Pending charges wait: {}", e.toString());
    }
  }

  /**
   * One round: claims and charges up to 20 pending bookings. A claim older than {@link
   * #CLAIM_LEASE} whose result was never written (the database refused the write, or the server
   * stopped) is pending again: the payment API's charges are keyed by booking, so charging twice is
   * harmless.
   */
  void run() throws SQLException, IOException {
    if (readMode.isBrowseOnly()) {
      return;
    }
    long staleBefore = System.currentTimeMillis() - CLAIM_LEASE.toMillis();
    List<Long> pending = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "SELECT id FROM booking WHERE payment = 'pending'"
                    + " OR (payment = 'charging' AND claimed_at < ?) LIMIT 20")) {
      select.setLong(1, staleBefore);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          pending.add(rs.getLong(1));
        }
      }
    }
    for (long booking : pending) {
      if (!claim(booking, staleBefore)) {
        continue; // another server claimed it
      }
      String charge = payments.charge(booking);
      written(booking, charge);
      if (charge.equals("pending")) {
        return; // the payment API is still down: try again next round
      }
    }
  }

  private boolean claim(long booking, long staleBefore) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement update =
            c.prepareStatement(
                "UPDATE booking SET payment = 'charging', claimed_at = ? WHERE id = ?"
                    + " AND (payment = 'pending' OR (payment = 'charging' AND claimed_at < ?))")) {
      update.setLong(1, System.currentTimeMillis());
      update.setLong(2, booking);
      update.setLong(3, staleBefore);
      return update.executeUpdate() == 1;
    }
  }

  private void written(long booking, String charge) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement update =
            c.prepareStatement(
                "UPDATE booking SET payment = ?, claimed_at = NULL"
                    + " WHERE id = ? AND payment = 'charging'")) {
      update.setString(1, charge);
      update.setLong(2, booking);
      update.executeUpdate();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
