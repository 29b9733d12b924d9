package dev.brownout.examples.booking;

import dev.brownout.degrade.ReadMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the charges of bookings that were "paid later" once a provider answers again. Each booking
 * is claimed first ({@code payment = 'pending'} to {@code 'charging'} in one conditional update; a
 * new booking is stored claimed by the request that charges it), so two servers never charge the
 * same booking at once, and charged with the booking's idempotency key, so a provider that took the
 * charge already answers with it. A booking whose charge a provider may hold ({@code provider} set)
 * is settled with that provider only. Skipped while browse-only.
 *
 * <p>What this cannot see: a booking whose result was never written (the database refused the
 * write, or the server stopped mid-charge) is charged again through the chain, primary first, with
 * its key; if the secondary had taken it, the primary would charge it a second time. A real
 * integration would ask each provider for the key first; the drill counts charges per booking to
 * show it does not happen in the failures it injects.
 */
final class PendingCharges implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PendingCharges.class);
  // Longer than a charge can take (one bounded attempt per provider).
  private static final Duration CLAIM_LEASE = Duration.ofSeconds(10);

  private final DataSource db;
  private final Checkout checkout;
  private final ReadMode readMode;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "brownout-demo-pending-charges");
            thread.setDaemon(true);
            return thread;
          });

  PendingCharges(DataSource db, Checkout checkout, ReadMode readMode) {
    this.db = db;
    this.checkout = checkout;
    this.readMode = readMode;
    timer.scheduleWithFixedDelay(this::runSafely, 1, 1, TimeUnit.SECONDS);
  }

  private void runSafely() {
    try {
      run();
    } catch (SQLException | RuntimeException e) {
      log.debug("Pending charges wait: {}", e.toString());
    }
  }

  /** A booking to charge: its guest, and the provider that may hold its charge. */
  private record Due(long booking, String guest, @Nullable String provider) {}

  /**
   * One round: claims and charges up to 20 pending bookings. A claim older than {@link
   * #CLAIM_LEASE} whose result was never written is pending again. A route (a provider, or the
   * chain) that leaves a booking pending is not asked again this round.
   */
  void run() throws SQLException {
    if (readMode.isBrowseOnly()) {
      return;
    }
    long staleBefore = System.currentTimeMillis() - CLAIM_LEASE.toMillis();
    List<Due> due = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "SELECT id, guest, provider FROM booking WHERE payment = 'pending'"
                    + " OR (payment = 'charging' AND claimed_at < ?) ORDER BY id LIMIT 20")) {
      select.setLong(1, staleBefore);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          due.add(new Due(rs.getLong(1), rs.getString(2), rs.getString(3)));
        }
      }
    }
    Set<String> away = new HashSet<>();
    for (Due next : due) {
      String route = next.provider() == null ? "" : next.provider();
      if (away.contains(route) || !claim(next.booking(), staleBefore)) {
        continue; // its route is away this round, or another server claimed it
      }
      Checkout.Outcome outcome;
      try {
        outcome = checkout.charge(next.booking(), next.guest(), next.provider());
      } catch (RuntimeException e) {
        outcome = Checkout.Outcome.pending(next.provider());
        log.warn("Charging booking {} failed: {}", next.booking(), e.toString());
      }
      written(next.booking(), outcome);
      if (outcome.result() == Checkout.Result.PENDING) {
        away.add(route);
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

  private void written(long booking, Checkout.Outcome outcome) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement update =
            c.prepareStatement(
                "UPDATE booking SET payment = ?, provider = ?, claimed_at = NULL"
                    + " WHERE id = ? AND payment = 'charging'")) {
      update.setString(1, outcome.payment());
      update.setString(2, outcome.provider());
      update.setLong(3, booking);
      update.executeUpdate();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
