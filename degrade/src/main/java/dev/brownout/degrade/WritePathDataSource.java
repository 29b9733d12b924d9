package dev.brownout.degrade;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@code DataSource} that tells a {@link WritePath} how every JDBC call went, so browse-only mode
 * follows the database with one line:
 *
 * <pre>{@code
 * DataSource dataSource = WritePathDataSource.wrap(pool, writePath);
 * }</pre>
 *
 * Every {@link SQLException} from getting a connection, running a statement or committing is
 * reported (the write path classifies it); a successful update, batch or commit is reported as a
 * success. Statements, connections and their results are otherwise untouched.
 *
 * <p>{@link #probe(DataSource, Duration)} is a {@link WriteProbe} for the same database: a
 * connection that is valid and not read-only.
 */
public final class WritePathDataSource implements DataSource {
  private static final Set<String> WRITES =
      Set.of("executeUpdate", "executeLargeUpdate", "executeBatch", "executeLargeBatch", "commit");

  private final DataSource delegate;
  private final WritePath writePath;

  private WritePathDataSource(DataSource delegate, WritePath writePath) {
    this.delegate = delegate;
    this.writePath = writePath;
  }

  /** Wraps {@code dataSource} so its calls feed {@code writePath}. */
  public static DataSource wrap(DataSource dataSource, WritePath writePath) {
    return new WritePathDataSource(
        Objects.requireNonNull(dataSource, "dataSource"),
        Objects.requireNonNull(writePath, "writePath"));
  }

  /**
   * A probe that asks {@code dataSource} (the unwrapped one, so probes do not feed the write path)
   * for a connection that is valid within {@code timeout} and not read-only.
   */
  public static WriteProbe probe(DataSource dataSource, Duration timeout) {
    Objects.requireNonNull(dataSource, "dataSource");
    int seconds = (int) Math.max(1, timeout.toSeconds());
    return () -> {
      try (Connection connection = dataSource.getConnection()) {
        return connection.isValid(seconds) && !connection.isReadOnly();
      }
    };
  }

  @Override
  public Connection getConnection() throws SQLException {
    try {
      return wrap(delegate.getConnection());
    } catch (SQLException e) {
      writePath.recordFailure(e);
      throw e;
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    try {
      return wrap(delegate.getConnection(username, password));
    } catch (SQLException e) {
      writePath.recordFailure(e);
      throw e;
    }
  }

  private Connection wrap(Connection connection) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            new Reporting(connection));
  }

  /** Reports each call's outcome; wraps the statements a connection makes. */
  private final class Reporting implements InvocationHandler {
    private final Object target;

    Reporting(Object target) {
      this.target = target;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      Object result;
      try {
        result = method.invoke(target, args);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof SQLException) {
          writePath.recordFailure(cause);
        }
        throw cause;
      }
      if (WRITES.contains(method.getName())) {
        writePath.recordSuccess();
      }
      if (result instanceof CallableStatement statement) {
        return statement(CallableStatement.class, statement);
      }
      if (result instanceof PreparedStatement statement) {
        return statement(PreparedStatement.class, statement);
      }
      if (result instanceof Statement statement && method.getReturnType() == Statement.class) {
        return statement(Statement.class, statement);
      }
      return result;
    }

    private Object statement(Class<?> type, Object statement) {
      return Proxy.newProxyInstance(
          type.getClassLoader(), new Class<?>[] {type}, new Reporting(statement));
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }
}
