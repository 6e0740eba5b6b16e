package dev.keel.store;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A second process on a SQLite file, for {@link SqliteStoreTest}: inserts {@code count} runs with
 * ids {@code prefix-i}, each with a task and a state change in one transaction, then prints "done".
 */
final class SqliteWriter {
  private SqliteWriter() {}

  public static void main(String[] args) {
    Path file = Path.of(args[0]);
    String prefix = args[1];
    int count = Integer.parseInt(args[2]);
    try (Store store = Store.sqlite(file)) {
      for (int i = 0; i < count; i++) {
        String id = prefix + "-" + i;
        Instant now = Instant.ofEpochMilli(StoreContract.T0.toEpochMilli() + i);
        store.inTransaction(
            tx -> {
              tx.runs().insert(StoreContract.run(id, "ns", "pipe", now, "PENDING"));
              tx.tasks().insertIfAbsent(StoreContract.task(id, "a", "RUNNING", null));
              tx.runs().updateState(id, "RUNNING", null, now, null);
              return null;
            });
      }
    }
    System.out.println("done");
  }
}
