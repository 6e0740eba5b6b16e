package dev.keel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** The store contract on SQLite, Keel's embedded default, plus what sharing a file takes. */
class SqliteStoreTest extends StoreContract {
  @TempDir Path dir;

  @Override
  protected Store open() {
    return Store.sqlite(dir.resolve("data").resolve("keel.db"));
  }

  @Test
  void a_second_store_on_the_same_file_sees_committed_data() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    try (Store other = Store.sqlite(dir.resolve("data").resolve("keel.db"))) {
      assertThat(other.runs().get("r1")).isPresent();
      other.runs().updateState("r1", "SUCCEEDED", null, T0, T0);
    }
    assertThat(store.runs().get("r1").orElseThrow().state()).isEqualTo("SUCCEEDED");
    assertThat(store.dialect()).isEqualTo(Dialect.SQLITE);
  }

  @Test
  void a_batch_is_one_commit_that_other_connections_see_whole_or_not_at_all() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    try (Store other = Store.sqlite(dir.resolve("data").resolve("keel.db"))) {
      store.batch(
          () -> {
            store.tasks().insertIfAbsent(task("r1", "a", "RUNNING", null));
            store.runs().updateState("r1", "SUCCEEDED", null, T0, T0);
            // this thread sees its own writes; another connection sees none of them yet
            assertThat(store.tasks().listByRun("r1")).hasSize(1);
            assertThat(other.tasks().listByRun("r1")).isEmpty();
            assertThat(other.runs().get("r1").orElseThrow().state()).isEqualTo("RUNNING");
          });
      assertThat(other.tasks().listByRun("r1")).hasSize(1);
      assertThat(other.runs().get("r1").orElseThrow().state()).isEqualTo("SUCCEEDED");
    }
    assertThatThrownBy(
            () ->
                store.batch(
                    () -> {
                      store.tasks().insertIfAbsent(task("r1", "b", "RUNNING", null));
                      throw new IllegalStateException("crash before commit");
                    }))
        .hasMessage("crash before commit");
    assertThat(store.tasks().listByRun("r1")).extracting(TaskRecord::path).containsExactly("a");
  }

  @Test
  void the_connection_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout() {
    assertThat(pragma("journal_mode")).isEqualTo("wal");
    assertThat(pragma("synchronous")).isEqualTo("1"); // NORMAL
    assertThat(pragma("foreign_keys")).isEqualTo("1");
    assertThat(pragma("busy_timeout")).isEqualTo("10000");
  }

  @Test
  void a_cached_statement_in_use_is_not_handed_out_twice() {
    store.runs().insert(run("r1", "ns", "pipe", T0, "RUNNING"));
    store.runs().insert(run("r2", "ns", "pipe", T0.plusSeconds(1), "RUNNING"));
    String sql = "SELECT id FROM runs WHERE namespace = :ns ORDER BY id";
    List<String> pairs =
        store.withHandle(
            h -> {
              // the same SQL runs again while the outer query's rows are still being read
              try (var outer = h.createQuery(sql).bind("ns", "ns").mapTo(String.class).stream()) {
                return outer
                    .map(
                        id ->
                            id
                                + ":"
                                + h.createQuery(sql).bind("ns", "ns").mapTo(String.class).list())
                    .toList();
              }
            });
    assertThat(pairs).containsExactly("r1:[r1, r2]", "r2:[r1, r2]");
    // and a third use finds the statement reset, not half-read
    List<String> again =
        store.withHandle(h -> h.createQuery(sql).bind("ns", "ns").mapTo(String.class).list());
    assertThat(again).containsExactly("r1", "r2");
  }

  private String pragma(String name) {
    return store.withHandle(
        h -> h.createQuery("PRAGMA " + name).mapTo(String.class).one().toLowerCase());
  }

  @Test
  void stores_opening_a_new_file_at_once_all_migrate_it() throws Exception {
    // several rounds: which opener meets which lock (switching the file to WAL, migrating it)
    // differs from round to round
    for (int round = 0; round < 10; round++) {
      Path fresh = dir.resolve("fresh-" + round).resolve("keel.db");
      List<Integer> opened =
          concurrently(
              4,
              () -> {
                try (Store s = Store.sqlite(fresh)) {
                  return s.runs().listUnfinished().size();
                }
              });
      assertThat(opened).as("round %d", round).containsOnly(0);
    }
  }

  @Test
  void opening_tries_again_while_sqlite_answers_busy_and_only_then() {
    RuntimeException busy =
        new IllegalStateException(
            "pool", new SQLiteException("database is locked", SQLiteErrorCode.SQLITE_BUSY));
    RuntimeException recovering =
        new IllegalStateException(
            "pool", new SQLiteException("recovery", SQLiteErrorCode.SQLITE_BUSY_RECOVERY));
    AtomicInteger tries = new AtomicInteger();
    String opened =
        Store.whileBusy(
            () -> {
              int n = tries.incrementAndGet();
              if (n == 1) {
                throw busy;
              }
              if (n == 2) {
                throw recovering;
              }
              return "open";
            },
            Duration.ofSeconds(10));
    assertThat(opened).isEqualTo("open");
    assertThat(tries).hasValue(3);

    // anything else fails at once
    RuntimeException corrupt =
        new IllegalStateException(
            "pool", new SQLiteException("not a database", SQLiteErrorCode.SQLITE_NOTADB));
    tries.set(0);
    assertThatThrownBy(
            () ->
                Store.whileBusy(
                    () -> {
                      tries.incrementAndGet();
                      throw corrupt;
                    },
                    Duration.ofSeconds(10)))
        .isSameAs(corrupt);
    assertThat(tries).hasValue(1);

    // and busy for longer than the patience fails with SQLite's answer
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                Store.whileBusy(
                    () -> {
                      throw busy;
                    },
                    Duration.ofMillis(200)))
        .isSameAs(busy);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void a_database_an_older_keel_made_is_migrated_on_open_and_a_current_one_is_not_again()
      throws Exception {
    // an older Keel's database: every migration but the last
    Path file = dir.resolve("older").resolve("keel.db");
    Files.createDirectories(file.getParent());
    String url = "jdbc:sqlite:" + file;
    List<String> versions = migrationVersions("sqlite");
    String previous = versions.get(versions.size() - 2);
    Flyway.configure()
        .dataSource(url, null, null)
        .locations("classpath:db/migration/sqlite")
        .target(MigrationVersion.fromVersion(previous))
        .load()
        .migrate();
    try (Connection c = DriverManager.getConnection(url)) {
      assertThat(Store.upToDate(c)).isFalse();
    }
    try (Store s = Store.sqlite(file)) {
      Boolean current = s.withHandle(h -> Store.upToDate(h.getConnection()));
      assertThat(current).isTrue();
      assertThat(s.runs().listUnfinished()).isEmpty();
    }
    // opening it again finds nothing to do: Flyway is not even asked (it logs whatever it does),
    // and the history is as the first open left it
    List<String> flywaySaid = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Logger flywayLog = java.util.logging.Logger.getLogger("org.flywaydb");
    java.util.logging.Handler listen =
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord r) {
            flywaySaid.add(r.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    flywayLog.addHandler(listen);
    try (Store s = Store.sqlite(file)) {
      Integer applied =
          s.withHandle(
              h ->
                  h.createQuery("SELECT count(*) FROM flyway_schema_history")
                      .mapTo(Integer.class)
                      .one());
      assertThat(applied).isEqualTo(versions.size());
    } finally {
      flywayLog.removeHandler(listen);
    }
    assertThat(flywaySaid).isEmpty();
    // a new, empty file has no history at all
    Path empty = dir.resolve("empty.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + empty)) {
      assertThat(Store.upToDate(c)).isFalse();
    }
  }

  @Test
  void the_schema_version_is_the_last_migration_of_both_dialects() throws Exception {
    for (String dialect : List.of("sqlite", "postgres")) {
      List<String> versions = migrationVersions(dialect);
      assertThat(versions.get(versions.size() - 1)).as(dialect).isEqualTo(Store.SCHEMA_VERSION);
    }
  }

  /** The versions of a dialect's migrations, in order, from the files of this checkout. */
  static List<String> migrationVersions(String dialect) throws Exception {
    try (var files = Files.list(Path.of("src/main/resources/db/migration", dialect))) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.matches("V\\d+__.*\\.sql"))
          .map(n -> n.substring(1, n.indexOf("__")))
          .sorted(java.util.Comparator.comparingInt(Integer::parseInt))
          .toList();
    }
  }

  @Test
  void another_process_writes_while_this_one_does() throws Exception {
    Path file = dir.resolve("data").resolve("keel.db");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                SqliteWriter.class.getName(),
                file.toString(),
                "child",
                "300")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    // start writing once the other process is writing too
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (store.runs().get("child-0").isEmpty()
        && child.isAlive()
        && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    for (int i = 0; i < 200; i++) {
      String id = "parent-" + i;
      Instant at = T0.plusMillis(i);
      store.inTransaction(
          tx -> {
            tx.runs().insert(run(id, "ns", "pipe", at, "PENDING"));
            tx.tasks().insertIfAbsent(task(id, "a", "RUNNING", null));
            tx.runs().updateState(id, "RUNNING", null, at, null);
            return null;
          });
    }
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String log = Files.readString(dir.resolve("child.log"), StandardCharsets.UTF_8);
    assertThat(child.exitValue()).as(log).isZero();
    assertThat(log).contains("done");
    // this process sees every run the other one committed, each with its task and state
    assertThat(store.runs().list("ns", null, 1000, null).totalSize()).isEqualTo(500);
    assertThat(store.runs().listUnfinished())
        .hasSize(500)
        .allMatch(r -> r.state().equals("RUNNING"));
    assertThat(store.tasks().listByRun("child-299")).hasSize(1);
  }
}
