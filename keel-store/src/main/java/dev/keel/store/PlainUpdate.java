package dev.keel.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Runs an INSERT, UPDATE or DELETE with named parameters straight through JDBC on a Jdbi handle's
 * connection. The engine writes a few rows for every task it runs; Jdbi's statement pipeline
 * (parsing, argument lookup, logging hooks, cleanables) cost more than SQLite's own work for them.
 *
 * <p>Only the plain value types Keel binds are handled (strings, numbers, booleans, null); {@link
 * #run} returns {@code null} for anything else so the caller can fall back to Jdbi. Failures are
 * thrown as Jdbi's {@link UnableToExecuteStatementException}, as Jdbi would throw them.
 */
final class PlainUpdate {
  private static final Map<String, Parsed> PARSED = new ConcurrentHashMap<>();

  private PlainUpdate() {}

  /** The SQL with {@code ?} for each {@code :name}, and the names in order. */
  record Parsed(String sql, List<String> names) {}

  /** Rows changed, or {@code null} when a parameter is of a type this does not bind. */
  static Integer run(Handle h, String sql, Map<String, Object> params) {
    for (Object v : params.values()) {
      if (!(v == null
          || v instanceof String
          || v instanceof Long
          || v instanceof Integer
          || v instanceof Boolean
          || v instanceof Double)) {
        return null;
      }
    }
    Parsed p = PARSED.computeIfAbsent(sql, PlainUpdate::parse);
    Connection conn = h.getConnection();
    StatementCache cache =
        h.getStatementBuilder() instanceof StatementCache c ? c : null; // SQLite only
    PreparedStatement ps = null;
    try {
      ps = cache != null ? cache.take(conn, p.sql()) : conn.prepareStatement(p.sql());
      int i = 1;
      for (String name : p.names()) {
        if (!params.containsKey(name)) {
          throw new IllegalArgumentException("no value for :" + name + " in " + sql);
        }
        Object v = params.get(name);
        if (v == null) {
          ps.setNull(i++, Types.OTHER);
        } else {
          ps.setObject(i++, v);
        }
      }
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new UnableToExecuteStatementException(e.getMessage() + " [" + sql + "]", e, null);
    } finally {
      if (ps != null) {
        release(cache, p.sql(), ps);
      }
    }
  }

  private static void release(StatementCache cache, String sql, PreparedStatement ps) {
    try {
      if (cache != null) {
        cache.give(sql, ps);
      } else {
        ps.close();
      }
    } catch (SQLException ignored) {
      // a statement that cannot be reset is dropped; the next use prepares a new one
    }
  }

  /**
   * Replaces each {@code :name} outside string literals with {@code ?}; {@code ::} (a cast) is left
   * alone.
   */
  static Parsed parse(String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    List<String> names = new ArrayList<>();
    boolean quoted = false;
    for (int i = 0; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
        out.append(c);
      } else if (!quoted && c == ':' && i + 1 < sql.length() && sql.charAt(i + 1) == ':') {
        out.append("::");
        i++;
      } else if (!quoted
          && c == ':'
          && i + 1 < sql.length()
          && Character.isJavaIdentifierStart(sql.charAt(i + 1))) {
        int end = i + 1;
        while (end < sql.length() && Character.isJavaIdentifierPart(sql.charAt(end))) {
          end++;
        }
        names.add(sql.substring(i + 1, end));
        out.append('?');
        i = end - 1;
      } else {
        out.append(c);
      }
    }
    return new Parsed(out.toString(), List.copyOf(names));
  }
}
