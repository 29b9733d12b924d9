package dev.brownout.examples.booking;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The booking database: any JDBC URL, by default an embedded H2 database in a file. For the drill
 * it can be reopened read-only, as a failover to a replica would leave it ({@link
 * #reopen(boolean)}; H2 only).
 */
public final class Database implements DataSource {
  private static final String[][] LISTINGS = {
    {"Harbour loft", "Lisbon", "140"},
    {"Garden flat", "Dublin", "95"},
    {"Canal house", "Amsterdam", "180"},
    {"Old-town studio", "Tallinn", "60"},
    {"Fjord cabin", "Bergen", "120"},
    {"Rooftop room", "Naples", "75"},
    {"Vineyard cottage", "Porto", "110"},
    {"Lake chalet", "Annecy", "160"},
    {"Beach hut", "Biarritz", "90"},
    {"Tram-side flat", "Zagreb", "55"},
    {"Forest treehouse", "Ljubljana", "130"},
    {"Market loft", "Valencia", "85"}
  };

  // How long a new connection waits for a reopen to finish.
  private static final Duration SWITCH_WAIT = Duration.ofSeconds(5);

  private final String url;
  private volatile boolean readOnly;
  private boolean switching;

  private Database(String url) {
    this.url = url;
  }

  /** The database at {@code url}, with its tables and listings created if missing. */
  public static Database open(String url) {
    Database database = new Database(url);
    try (Connection c = database.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS listing(id INT PRIMARY KEY, name VARCHAR(80) NOT NULL,"
              + " city VARCHAR(80) NOT NULL, price INT NOT NULL)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS booking(id BIGINT AUTO_INCREMENT PRIMARY KEY,"
              + " guest VARCHAR(80) NOT NULL, listing INT NOT NULL, nights INT NOT NULL,"
              + " payment VARCHAR(40) NOT NULL)");
      // When a server claimed a pending charge: a claim left behind (the database went
      // read-only, or the server stopped, before the result was written) can be taken again.
      s.execute("ALTER TABLE booking ADD COLUMN IF NOT EXISTS claimed_at BIGINT");
      // The provider that may hold a pending booking's charge (it did not answer in time): the
      // charge is settled with that provider only, never re-routed to another.
      s.execute("ALTER TABLE booking ADD COLUMN IF NOT EXISTS provider VARCHAR(40)");
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM listing")) {
        rs.next();
        if (rs.getInt(1) == 0) {
          for (int i = 0; i < LISTINGS.length; i++) {
            s.executeUpdate(
                "INSERT INTO listing VALUES ("
                    + (i + 1)
                    + ", '"
                    + LISTINGS[i][0]
                    + "', '"
                    + LISTINGS[i][1]
                    + "', "
                    + LISTINGS[i][2]
                    + ")");
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open the booking database at " + url + ": " + e, e);
    }
    return database;
  }

  /** The JDBC URL. */
  public String url() {
    return url;
  }

  @Override
  public Connection getConnection() throws SQLException {
    synchronized (this) {
      // While it is being reopened, new connections wait, as behind a proxy during a failover.
      long deadline = System.nanoTime() + SWITCH_WAIT.toNanos();
      while (switching) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new SQLTransientConnectionException("the database is being reopened", "08001");
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SQLTransientConnectionException("interrupted waiting for the database", e);
        }
      }
    }
    return DriverManager.getConnection(readOnly ? url + ";ACCESS_MODE_DATA=r" : url, "sa", "");
  }

  /**
   * Closes an H2 database and opens it again, read-only or not: what a failover to a read-only
   * replica, and back, looks like to the application.
   */
  public void reopen(boolean readOnly) throws SQLException {
    if (!url.startsWith("jdbc:h2:")) {
      throw new SQLException("only an H2 database can be reopened read-only (this is " + url + ")");
    }
    try (Connection c = getConnection()) {
      synchronized (this) {
        switching = true;
      }
      try (Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
    } finally {
      synchronized (this) {
        this.readOnly = readOnly;
        switching = false;
        notifyAll();
      }
    }
  }

  /** Bookings stored, for the drill's "no lost bookings" check. */
  public long bookings() throws SQLException {
    try (Connection c = getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM booking")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Bookings whose charge has not been taken yet. */
  public long unpaid() throws SQLException {
    try (Connection c = getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT COUNT(*) FROM booking WHERE payment IN ('pending', 'charging')")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Every booking's payment (a charge id, {@code pending}, {@code charging} or {@code declined}).
   */
  public Map<Long, String> payments() throws SQLException {
    Map<Long, String> payments = new TreeMap<>();
    try (Connection c = getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, payment FROM booking")) {
      while (rs.next()) {
        payments.put(rs.getLong(1), rs.getString(2));
      }
    }
    return payments;
  }

  /** Whether a booking is stored. */
  public boolean exists(long booking) throws SQLException {
    try (Connection c = getConnection();
        PreparedStatement s = c.prepareStatement("SELECT 1 FROM booking WHERE id = ?")) {
      s.setLong(1, booking);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return getConnection();
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getLogger("dev.brownout.examples");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
