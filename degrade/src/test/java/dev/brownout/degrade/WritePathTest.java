package dev.brownout.degrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brownout.core.config.BrownoutConfig;
import dev.brownout.core.metrics.BrownoutMetrics;
import dev.brownout.state.InMemoryStateStore;
import dev.brownout.state.testservers.Await;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumSet;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Automatic browse-only mode against a real JDBC database (H2, in a file) behind a real servlet
 * container: the database is switched to read-only mid-test, as after a failover to a replica, and
 * back.
 */
class WritePathTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;
  final BrownoutMetrics metrics = BrownoutMetrics.inMemory();
  final InMemoryStateStore store = InMemoryStateStore.create();
  final ReadMode readMode = ReadMode.builder(store).metrics(metrics).build();
  WritePath writePath;
  Server server;

  @AfterEach
  void close() throws Exception {
    if (server != null) {
      server.stop();
    }
    if (writePath != null) {
      writePath.close();
    }
    readMode.close();
    store.close();
  }

  /** A database that can be reopened read-only, as a failover to a replica would leave it. */
  static final class H2 implements DataSource {
    final String url;
    volatile boolean readOnly;

    H2(Path dir) {
      this.url = "jdbc:h2:file:" + dir.resolve("bookings");
    }

    @Override
    public Connection getConnection() throws SQLException {
      return DriverManager.getConnection(readOnly ? url + ";ACCESS_MODE_DATA=r" : url, "sa", "");
    }

    void reopen(boolean readOnly) throws SQLException {
      try (Connection c = getConnection();
          Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
      this.readOnly = readOnly;
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
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
      return Logger.getGlobal();
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

  /** The application: list and book, with plain JDBC. */
  static final class BookingServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient DataSource db;

    BookingServlet(DataSource db) {
      this.db = db;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      try (Connection c = db.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM booking")) {
        rs.next();
        resp.getWriter().write(Integer.toString(rs.getInt(1)));
      } catch (SQLException e) {
        resp.sendError(500, e.getMessage());
      }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      try (Connection c = db.getConnection();
          Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO booking(guest) VALUES ('ada')");
        resp.setStatus(201);
      } catch (SQLException e) {
        resp.sendError(500, e.getMessage());
      }
    }
  }

  int port() {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  HttpResponse<String> send(String method) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/bookings"))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aReadOnlyDatabaseMeansBrowseOnlyAndItsReturnMeansReadWrite() throws Exception {
    H2 h2 = new H2(dir);
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE booking(id IDENTITY PRIMARY KEY, guest VARCHAR(40))");
    }
    writePath =
        WritePath.builder(readMode, WritePathDataSource.probe(h2, Duration.ofSeconds(1)))
            .config(
                BrownoutConfig.builder()
                    .declare(DegradeConfig.keys())
                    .set(DegradeConfig.WRITE_PATH_PROBE_INTERVAL, Duration.ofMillis(100))
                    .set(DegradeConfig.WRITE_PATH_LEASE, Duration.ofSeconds(5))
                    .build())
            .metrics(metrics)
            .build();
    DataSource db = WritePathDataSource.wrap(h2, writePath);
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addFilter(
        new FilterHolder(new ReadModeFilter(readMode)), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new BookingServlet(db)), "/bookings");
    server.setHandler(context);
    server.start();

    assertThat(send("POST").statusCode()).isEqualTo(201);
    assertThat(send("GET").body()).isEqualTo("1");

    h2.reopen(true);
    long start = System.nanoTime();
    HttpResponse<String> refusedByTheDatabase = send("POST");
    long tripMicros = (System.nanoTime() - start) / 1000;
    assertThat(refusedByTheDatabase.statusCode()).isEqualTo(500);
    // The failure that revealed it tripped the write path on the same call: no waiting.
    assertThat(readMode.isBrowseOnly()).isTrue();
    assertThat(readMode.reasons())
        .extracting(ReadOnlyReason::id)
        .containsExactly(writePath.reasonId());
    System.out.println(
        "browse-only entered " + tripMicros + " us after the database went read-only");

    HttpResponse<String> refused = send("POST");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/problem+json");
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(refused.body()).contains(ReadModeFilter.PROBLEM_TYPE);
    assertThat(send("GET").body()).as("reads keep working").isEqualTo("1");
    assertThat(writePath.probeNow()).as("the probe sees a read-only database").isFalse();

    h2.reopen(false);
    Await.until("the probe restores read-write", () -> !readMode.isBrowseOnly());
    assertThat(send("POST").statusCode()).isEqualTo(201);
    assertThat(send("GET").body()).isEqualTo("2");
    assertThat(metrics.counter(WritePath.TRANSITIONS, "tripped").count()).isEqualTo(1);
    assertThat(metrics.counter(WritePath.TRANSITIONS, "recovered").count()).isEqualTo(1);
    assertThat(
            metrics
                .registry()
                .find("resilience4j.circuitbreaker.state")
                .tag("name", WritePath.BREAKER_NAME)
                .gauges())
        .isNotEmpty();
  }

  @Test
  void connectionFailuresTripAtTheConfiguredRateAndApplicationErrorsNever() throws Exception {
    writePath =
        WritePath.builder(readMode, () -> false)
            .config(
                BrownoutConfig.builder()
                    .declare(DegradeConfig.keys())
                    .set(DegradeConfig.WRITE_PATH_WINDOW, 10)
                    .set(DegradeConfig.WRITE_PATH_MINIMUM_CALLS, 10)
                    .build())
            .build();
    for (int i = 0; i < 50; i++) {
      writePath.recordFailure(new SQLException("duplicate key", "23505"));
    }
    assertThat(readMode.isBrowseOnly()).isFalse();
    for (int i = 0; i < 5; i++) {
      writePath.recordSuccess();
    }
    for (int i = 0; i < 4; i++) {
      writePath.recordFailure(new SQLTransientConnectionException("refused", "08001"));
    }
    assertThat(readMode.isBrowseOnly()).as("4 of 9 calls, under the minimum").isFalse();
    writePath.recordFailure(new SQLTransientConnectionException("refused", "08001"));
    assertThat(readMode.isBrowseOnly()).as("5 of 10 failed: 50%").isTrue();
    assertThat(writePath.tripped()).isTrue();
  }

  @Test
  void failuresAreClassifiedByStateVendorCodeAndChain() {
    assertThat(SqlFailures.classify(new SQLException("ro", "25006")))
        .isEqualTo(SqlFailures.Kind.READ_ONLY);
    assertThat(SqlFailures.classify(new SQLException("--read-only", "HY000", 1290)))
        .isEqualTo(SqlFailures.Kind.READ_ONLY);
    assertThat(SqlFailures.classify(new SQLException("ORA-16000", "72000", 16000)))
        .isEqualTo(SqlFailures.Kind.READ_ONLY);
    assertThat(SqlFailures.classify(new SQLException("gone", "08006")))
        .isEqualTo(SqlFailures.Kind.CONNECTION);
    assertThat(SqlFailures.classify(new SQLException("dup", "23505")))
        .isEqualTo(SqlFailures.Kind.OTHER);
    SQLException chained = new SQLException("batch failed", "HY000");
    chained.setNextException(new SQLException("ro", "25006"));
    assertThat(SqlFailures.classify(chained)).isEqualTo(SqlFailures.Kind.READ_ONLY);
    assertThat(SqlFailures.classify(new RuntimeException(new SQLException("x", "08001"))))
        .isEqualTo(SqlFailures.Kind.CONNECTION);
    assertThat(SqlFailures.classify(new IllegalStateException("no sql")))
        .isEqualTo(SqlFailures.Kind.OTHER);
  }

  @Test
  void inconsistentSettingsAreRefusedWithTheKeysNamed() {
    assertThatThrownBy(
            () ->
                WritePath.builder(readMode, () -> true)
                    .config(
                        BrownoutConfig.builder()
                            .declare(DegradeConfig.keys())
                            .set(DegradeConfig.WRITE_PATH_LEASE, Duration.ofSeconds(1))
                            .set(DegradeConfig.WRITE_PATH_PROBE_INTERVAL, Duration.ofSeconds(1))
                            .build())
                    .build())
        .hasMessageContaining("brownout.degrade.write-path.lease");
    assertThatThrownBy(() -> WritePath.builder(readMode, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("probe");
  }
}
