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

  /** The handle of an open transaction. */
  record Bound(Handle handle) implements Db {
    @Override
    public <T> T with(Function<Handle, T> work) {
      return work.apply(handle);
    }
  }
}
