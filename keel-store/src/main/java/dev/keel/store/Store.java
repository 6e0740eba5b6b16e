package dev.keel.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * Keel's persistent state in SQL: SQLite in the data folder by default, PostgreSQL when shared.
 * Migrations run on open. Every method commits before it returns; {@link #inTransaction} groups
 * several writes into one commit.
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
    this.shared = dialect == Dialect.SQLITE ? new Db.Shared(jdbi) : null;
    this.repos = new SqlRepositories(shared != null ? shared : new Db.Pooled(jdbi), dialect);
  }

  /** A SQLite store in {@code dbFile}, created with its folder if missing. */
  public static Store sqlite(Path dbFile) {
    try {
      Path parent = dbFile.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dbFile.getParent(), e);
    }
    return jdbc("jdbc:sqlite:" + dbFile.toAbsolutePath(), null, null);
  }

  /** A store at a JDBC URL: {@code jdbc:postgresql://...} or {@code jdbc:sqlite:...}. */
  public static Store jdbc(String url, String user, String password) {
    Dialect dialect;
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    cfg.setPoolName("keel-store");
    if (url.startsWith("jdbc:sqlite:")) {
      dialect = Dialect.SQLITE;
      // one connection: SQLite has one writer; WAL lets other processes read meanwhile
      cfg.setMaximumPoolSize(1);
      cfg.addDataSourceProperty("journal_mode", "WAL");
      cfg.addDataSourceProperty("synchronous", "NORMAL");
      cfg.addDataSourceProperty("foreign_keys", "true");
      cfg.addDataSourceProperty("busy_timeout", "10000");
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
    HikariDataSource ds = new HikariDataSource(cfg);
    try {
      Flyway.configure()
          .dataSource(ds)
          .locations(
              "classpath:db/migration/" + (dialect == Dialect.SQLITE ? "sqlite" : "postgres"))
          .load()
          .migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
    return new Store(ds, dialect);
  }

  /** Which database this is. */
  public Dialect dialect() {
    return dialect;
  }

  @Override
  public Repositories.Pipelines pipelines() {
    return repos.pipelines;
  }

  @Override
  public Repositories.PipelineVersions versions() {
    return repos.versions;
  }

  @Override
  public Repositories.Experiments experiments() {
    return repos.experiments;
  }

  @Override
  public Repositories.Runs runs() {
    return repos.runs;
  }

  @Override
  public Repositories.Tasks tasks() {
    return repos.tasks;
  }

  @Override
  public Repositories.Artifacts artifacts() {
    return repos.artifacts;
  }

  @Override
  public Repositories.Events events() {
    return repos.events;
  }

  @Override
  public Repositories.Secrets secrets() {
    return repos.secrets;
  }

  /**
   * Runs {@code work} in one transaction: all of its writes commit together, or none when it
   * throws.
   */
  public <T> T inTransaction(Function<Tx, T> work) {
    Function<org.jdbi.v3.core.Handle, T> body =
        handle -> work.apply(new SqlRepositories(new Db.Bound(handle), dialect));
    return shared != null ? shared.inTransaction(body) : jdbi.inTransaction(body::apply);
  }

  @Override
  public void close() {
    if (shared != null) {
      shared.close();
    }
    dataSource.close();
  }
}
