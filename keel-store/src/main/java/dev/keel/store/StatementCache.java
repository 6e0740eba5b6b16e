package dev.keel.store;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.jdbi.v3.core.statement.DefaultStatementBuilder;
import org.jdbi.v3.core.statement.StatementBuilder;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Keeps the prepared statements of one connection for reuse, keyed by their SQL. The engine runs
 * the same few statements for every task; preparing each anew cost a tenth of its time on SQLite.
 *
 * <p>A statement is taken out of the cache while in use, so a second use of the same SQL before the
 * first is closed (a query inside the loop over the same query's rows) gets a fresh one, and only
 * one idle copy is kept. One builder serves one connection, which one thread uses at a time.
 *
 * <p>Jdbi creates a statement with the parsed SQL but closes it naming the SQL as written, so the
 * key a statement was made with is remembered by identity.
 */
final class StatementCache implements StatementBuilder {
  /** Most idle statements kept; Keel has a few dozen distinct statements. */
  private static final int MAX_IDLE = 128;

  private final StatementBuilder plain = new DefaultStatementBuilder();
  private final Map<String, PreparedStatement> idle = new HashMap<>();
  private final Map<Statement, String> inUse = new IdentityHashMap<>();

  @Override
  public Statement create(Connection conn, StatementContext ctx) throws SQLException {
    return plain.create(conn, ctx);
  }

  @Override
  public PreparedStatement create(Connection conn, String sql, StatementContext ctx)
      throws SQLException {
    if (!cacheable(ctx)) {
      return plain.create(conn, sql, ctx);
    }
    PreparedStatement s = idle.remove(sql);
    if (s == null || s.isClosed()) {
      s = plain.create(conn, sql, ctx);
    }
    inUse.put(s, sql);
    return s;
  }

  /** A statement for {@code sql}, from the cache or new; hand it back with {@link #give}. */
  PreparedStatement take(Connection conn, String sql) throws SQLException {
    PreparedStatement s = idle.remove(sql);
    return s == null || s.isClosed() ? conn.prepareStatement(sql) : s;
  }

  /** Keeps {@code ps} for the next {@link #take} of {@code sql}, or closes it. */
  void give(String sql, PreparedStatement ps) throws SQLException {
    if (!ps.isClosed() && idle.size() < MAX_IDLE && !idle.containsKey(sql)) {
      ps.clearParameters();
      idle.put(sql, ps);
    } else {
      ps.close();
    }
  }

  @Override
  public CallableStatement createCall(Connection conn, String sql, StatementContext ctx)
      throws SQLException {
    return plain.createCall(conn, sql, ctx);
  }

  @Override
  public void close(Connection conn, String written, Statement stmt) throws SQLException {
    String sql = inUse.remove(stmt);
    if (sql != null
        && stmt instanceof PreparedStatement ps
        && !(stmt instanceof CallableStatement)) {
      give(sql, ps);
      return;
    }
    plain.close(conn, written, stmt);
  }

  @Override
  public void close(Connection conn) {
    for (PreparedStatement s : idle.values()) {
      try {
        s.close();
      } catch (SQLException ignored) {
        // the connection is closing anyway
      }
    }
    idle.clear();
    inUse.clear();
  }

  private static boolean cacheable(StatementContext ctx) {
    return !ctx.isReturningGeneratedKeys() && !ctx.isConcurrentUpdatable();
  }
}
