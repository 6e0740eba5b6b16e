package dev.keel.store;

import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Where repositories get a handle: the pool (one per call), or an open transaction. */
interface Db {
  <T> T with(Function<Handle, T> work);

  /** A handle from the pool for each call, committed on return. */
  record Pooled(Jdbi jdbi) implements Db {
    @Override
    public <T> T with(Function<Handle, T> work) {
      return jdbi.withHandle(work::apply);
    }
  }

  /**
   * One handle shared under a lock: SQLite has a single writer anyway, and keeping the handle open
   * saves opening one (and copying its configuration) for every statement.
   */
  final class Shared implements Db, AutoCloseable {
    private final Jdbi jdbi;
    private final java.util.concurrent.locks.ReentrantLock lock =
        new java.util.concurrent.locks.ReentrantLock();
    private Handle handle;
    private int savepoints; // open savepoints, guarded by lock

    Shared(Jdbi jdbi) {
      this.jdbi = jdbi;
    }

    @Override
    public <T> T with(Function<Handle, T> work) {
      lock.lock();
      try {
        if (handle == null || handle.isClosed()) {
          handle = jdbi.open();
        }
        return work.apply(handle);
      } finally {
        lock.unlock();
      }
    }

    /**
     * Runs {@code work} in a transaction; inside one already open on this handle (a {@link
     * Store#batch}), in a savepoint, so that it still writes all or nothing.
     */
    <T> T inTransaction(Function<Handle, T> work) {
      return with(
          h -> {
            if (!h.isInTransaction()) {
              return h.inTransaction(work::apply);
            }
            String savepoint = "keel_" + ++savepoints; // unique: jdbi keys savepoints by name
            h.savepoint(savepoint);
            try {
              T result = work.apply(h);
              h.release(savepoint);
              return result;
            } catch (RuntimeException | Error e) {
              h.rollbackToSavepoint(savepoint); // jdbi forgets it: no release
              throw e;
            } finally {
              savepoints--;
            }
          });
    }

    @Override
    public void close() {
      lock.lock();
      try {
        if (handle != null) {
          handle.close();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** The handle of an open transaction. */
  record Bound(Handle handle) implements Db {
    @Override
    public <T> T with(Function<Handle, T> work) {
      return work.apply(handle);
    }
  }
}
