package dev.keel.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Keel's persistent state in SQL: SQLite in the data folder by default, PostgreSQL when shared.
 * Migrations run on open, unless the database already has this build's last one. Every repository
 * call commits before it returns; {@link #inTransaction} groups several writes into one commit.
 *
 * <p>SQLite runs in WAL mode with {@code synchronous=NORMAL}, {@code busy_timeout=10000} and
 * foreign keys on, through one connection that every thread of this store shares in turn (SQLite
 * has one writer anyway). Other processes may open the same file: they read meanwhile and wait for
 * the write lock.
 */
public final class Store implements Tx, AutoCloseable {
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  private final Dialect dialect;
  private final SqlRepositories repos;
  private final Db.Shared shared;

  private Store(HikariDataSource dataSource, Dialect dialect) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.jdbi = Jdbi.create(dataSource);
    if (dialect == Dialect.SQLITE) {
      // one long-lived connection runs the same few statements over and over
      jdbi.setStatementBuilderFactory(conn -> new StatementCache());
    }
    this.shared = dialect == Dialect.SQLITE ? new Db.Shared(jdbi) : null;
    this.repos = new SqlRepositories(shared != null ? shared : new Db.Pooled(jdbi), dialect);
  }

  /** A SQLite store in {@code dbFile}, created with its folders if missing. */
  public static Store sqlite(Path dbFile) {
    Path file = dbFile.toAbsolutePath();
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + file.getParent(), e);
    }
    return jdbc("jdbc:sqlite:" + file, null, null);
  }

  /** A store at a JDBC URL: {@code jdbc:postgresql://...} or {@code jdbc:sqlite:...}. */
  public static Store jdbc(String url, String user, String password) {
    Dialect dialect;
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setPoolName("keel-store");
    if (url.startsWith("jdbc:sqlite:")) {
      dialect = Dialect.SQLITE;
      SqliteNative.prepare();
      // one connection: SQLite has one writer; WAL lets other processes read meanwhile
      cfg.setMaximumPoolSize(1);
      cfg.addDataSourceProperty("journal_mode", "WAL");
      cfg.addDataSourceProperty("synchronous", "NORMAL");
      cfg.addDataSourceProperty("foreign_keys", "true");
      cfg.addDataSourceProperty("busy_timeout", "10000");
      // a transaction takes the write lock when it begins, waiting up to busy_timeout for another
      // process; a deferred one that read first would fail at once when it came to write
      cfg.addDataSourceProperty("transaction_mode", "IMMEDIATE");
      // ids are made by Keel, never by the database: skip the driver's last_insert_rowid() query
      // after every insert
      cfg.addDataSourceProperty("jdbc.get_generated_keys", "false");
    } else if (url.startsWith("jdbc:postgresql:")) {
      dialect = Dialect.POSTGRES;
      cfg.setMaximumPoolSize(8);
      if (user != null) {
        cfg.setUsername(user);
      }
      if (password != null) {
        cfg.setPassword(password);
      }
    } else {
      throw new IllegalArgumentException(
          "unsupported database URL '" + url + "' (use jdbc:postgresql://… or jdbc:sqlite:…)");
    }
    HikariDataSource ds =
        dialect == Dialect.SQLITE
            ? whileBusy(() -> new HikariDataSource(cfg), OPEN_PATIENCE)
            : new HikariDataSource(cfg);
    try {
      if (!upToDate(ds)) {
        migrate(ds, dialect);
      }
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
    return new Store(ds, dialect);
  }

  /** How long opening a SQLite file goes on trying while another opener holds it. */
  private static final Duration OPEN_PATIENCE = Duration.ofSeconds(10);

  /**
   * Opens with {@code open}, trying again while SQLite answers busy, for up to {@code patience}.
   * Stores opening a new file at once meet while the first switches it to WAL or migrates it, and
   * SQLite answers some of those meetings busy at once rather than through the busy timeout (it
   * does so where waiting could deadlock); a moment later the file is ready.
   */
  static <T> T whileBusy(Supplier<T> open, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    long pause = 5;
    while (true) {
      try {
        return open.get();
      } catch (RuntimeException e) {
        if (!busy(e) || System.nanoTime() - deadline >= 0) {
          throw e;
        }
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while the database was busy", e);
      }
      pause = Math.min(pause * 2, 100);
    }
  }

  /** Whether SQLite's answer somewhere in {@code e}'s causes is busy. */
  private static boolean busy(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLiteException s
          && (s.getResultCode().code & 0xff) == SQLiteErrorCode.SQLITE_BUSY.code) {
        return true;
      }
    }
    return false;
  }

  /**
   * The version of the last migration under {@code db/migration/<dialect>}, the same for both
   * dialects. A test holds it to the files.
   */
  static final String SCHEMA_VERSION = "10";

  /**
   * Whether the database has already applied this build's last migration, so that Flyway, which
   * would scan the classpath and check every migration's checksum (a good part of opening a store
   * at all), has nothing to do. A new database, one an older Keel made, or one whose history cannot
   * be read goes through Flyway.
   */
  private static boolean upToDate(HikariDataSource ds) {
    try (Connection c = ds.getConnection()) {
      return upToDate(c);
    } catch (SQLException e) {
      return false; // Flyway will say what is wrong
    }
  }

  /** {@link #upToDate(HikariDataSource)} on a connection to the database. */
  static boolean upToDate(Connection c) {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT count(*) FROM flyway_schema_history WHERE version = ? AND success = ?")) {
      s.setString(1, SCHEMA_VERSION);
      s.setBoolean(2, true);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getInt(1) > 0;
      }
    } catch (SQLException e) {
      return false; // no history yet: Flyway makes it
    }
  }

  private static void migrate(HikariDataSource ds, Dialect dialect) {
    Flyway flyway =
        Flyway.configure()
            .dataSource(ds)
            .locations(
                "classpath:db/migration/" + (dialect == Dialect.SQLITE ? "sqlite" : "postgres"))
            .load();
    try {
      flyway.migrate();
    } catch (RuntimeException e) {
      if (dialect != Dialect.SQLITE) {
        throw e;
      }
      // two processes opening a new data folder at once race to create the schema; immediate
      // transactions serialize them (the test of this passes without a retry), but should one
      // still lose, the winner has created the schema by now and a second pass finds it
      flyway.migrate();
    }
  }

  /** Which database this is. */
  public Dialect dialect() {
    return dialect;
  }

  @Override
  public Pipelines pipelines() {
    return repos.pipelines;
  }

  @Override
  public PipelineVersions versions() {
    return repos.versions;
  }

  @Override
  public Experiments experiments() {
    return repos.experiments;
  }

  @Override
  public Runs runs() {
    return repos.runs;
  }

  @Override
  public Tasks tasks() {
    return repos.tasks;
  }

  @Override
  public Artifacts artifacts() {
    return repos.artifacts;
  }

  @Override
  public Events events() {
    return repos.events;
  }

  @Override
  public Secrets secrets() {
    return repos.secrets;
  }

  @Override
  public RunEvents runEvents() {
    return repos.runEvents;
  }

  @Override
  public Users users() {
    return repos.access.users;
  }

  @Override
  public Profiles profiles() {
    return repos.access.profiles;
  }

  @Override
  public RecurringRuns recurringRuns() {
    return repos.recurring;
  }

  @Override
  public Resources resources() {
    return repos.resources;
  }

  /**
   * Runs {@code work} in one transaction: all of its writes commit together, or none when it throws
   * (the exception goes on to the caller). Repositories from the given {@link Tx} are bound to this
   * transaction; those of the store itself are not, and must not be used inside it.
   */
  public <T> T inTransaction(Function<Tx, T> work) {
    Function<Handle, T> body =
        handle -> work.apply(new SqlRepositories(new Db.Bound(handle), dialect));
    return shared != null ? shared.inTransaction(body) : jdbi.inTransaction(body::apply);
  }

  /**
   * Runs {@code work} with every call this thread makes to the store, its own repositories'
   * included, grouped into one commit where the store has one shared connection (SQLite): a group
   * commit for a caller that makes many small writes and acts on them only once this returns.
   * {@link #inTransaction} inside it keeps its all-or-nothing promise through a savepoint. Other
   * threads' calls wait meanwhile, so keep {@code work} short. Where the store has a pool of
   * connections (PostgreSQL) each call commits on its own as usual. Either way, everything {@code
   * work} wrote is committed when this returns; when it throws, what it wrote with SQLite is rolled
   * back.
   */
  public void batch(Runnable work) {
    if (shared == null) {
      work.run();
      return;
    }
    shared.inTransaction(
        h -> {
          work.run();
          return null;
        });
  }

  /** Runs {@code work} on a handle of this store's database (for tests and diagnostics). */
  <T> T withHandle(Function<Handle, T> work) {
    return shared != null ? shared.with(work) : jdbi.withHandle(work::apply);
  }

  @Override
  public void close() {
    if (shared != null) {
      shared.close();
    }
    dataSource.close();
  }
}
