package dev.brownout.degrade;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;
import java.util.Set;

/**
 * Sorts JDBC failures into what they say about the write path. Only two kinds count against it;
 * everything else (a constraint violation, a syntax error, a deadlock) is the application's, and
 * leaves the mode alone.
 *
 * <ul>
 *   <li>{@link Kind#READ_ONLY}: the database refuses writes. SQLState {@code 25006} (PostgreSQL,
 *       the standard's "read-only SQL transaction"), {@code 25502} (Derby), and vendor codes: MySQL
 *       and MariaDB 1290 ({@code --read-only}), 1792 and 1836; H2 90097; Oracle 16000; SQL Server
 *       3906. One such failure is proof enough: the write path trips at once.
 *   <li>{@link Kind#CONNECTION}: the database cannot be reached. SQLState class {@code 08}, the
 *       JDBC connection exception types, H2 90067 (connection broken). These count towards the
 *       write path's failure rate.
 *   <li>{@link Kind#OTHER}: anything else.
 * </ul>
 *
 * The exception, its causes and its chained {@link SQLException#getNextException()}s are all looked
 * at, so a driver or pool wrapping the real error is still understood.
 */
public final class SqlFailures {
  private SqlFailures() {}

  /** What a failure says about the write path. */
  public enum Kind {
    /** The database is up but refuses writes. */
    READ_ONLY,
    /** The database cannot be reached. */
    CONNECTION,
    /** Not the write path's fault. */
    OTHER
  }

  private static final Set<String> READ_ONLY_STATES = Set.of("25006", "25502");
  private static final Set<Integer> READ_ONLY_CODES = Set.of(1290, 1792, 1836, 90097, 16000, 3906);
  private static final Set<Integer> CONNECTION_CODES = Set.of(90067);

  /** Classifies a failure. */
  public static Kind classify(Throwable failure) {
    Kind found = Kind.OTHER;
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
      if (t instanceof SQLException sql) {
        for (SQLException e = sql; e != null && depth < 32; e = e.getNextException(), depth++) {
          Kind kind = classifyOne(e);
          if (kind == Kind.READ_ONLY) {
            return kind;
          }
          if (kind == Kind.CONNECTION) {
            found = kind;
          }
        }
      }
    }
    return found;
  }

  private static Kind classifyOne(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState().toUpperCase(Locale.ROOT);
    if (READ_ONLY_STATES.contains(state) || READ_ONLY_CODES.contains(e.getErrorCode())) {
      return Kind.READ_ONLY;
    }
    if (state.startsWith("08")
        || CONNECTION_CODES.contains(e.getErrorCode())
        || e instanceof SQLTransientConnectionException
        || e instanceof SQLNonTransientConnectionException
        || e instanceof SQLRecoverableException) {
      return Kind.CONNECTION;
    }
    return Kind.OTHER;
  }
}
