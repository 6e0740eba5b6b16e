package dev.keel.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on SQLite, Keel's embedded default. */
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
}
