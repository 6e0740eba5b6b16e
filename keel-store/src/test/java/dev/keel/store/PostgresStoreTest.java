package dev.keel.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store contract on a real PostgreSQL server, started from Maven Central's binaries. */
class PostgresStoreTest extends StoreContract {
  private static EmbeddedPostgres postgres;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  @BeforeAll
  static void startPostgres() throws IOException {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws IOException {
    postgres.close();
  }

  @Override
  protected Store open() {
    String db = "keel_" + DATABASES.incrementAndGet();
    try (Connection c = postgres.getPostgresDatabase().getConnection()) {
      c.createStatement().execute("CREATE DATABASE " + db);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return Store.jdbc(postgres.getJdbcUrl("postgres", db), "postgres", "postgres");
  }

  @Test
  void is_postgres() {
    assertThat(store.dialect()).isEqualTo(Dialect.POSTGRES);
  }
}
