package dev.keel.cli;

import dev.keel.pipelines.EngineListener;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.runtime.LocalRuntime;
import dev.keel.store.Store;
import java.nio.file.Path;

/** A store, a local runtime and an engine over them, closed together. */
final class Session implements AutoCloseable {
  final Store store;
  final LocalRuntime runtime;
  final PipelineEngine engine;

  Session(StoreOptions options, int parallelism, Path imageMap, boolean cache, EngineListener l) {
    this.store = options.open();
    LocalRuntime rt = null;
    try {
      rt = options.runtime(parallelism, imageMap, store);
      this.runtime = rt;
      this.engine =
          PipelineEngine.builder(store, runtime)
              .dataDir(options.dataDir())
              .cacheEnabled(cache)
              .listener(l)
              .build();
    } catch (RuntimeException e) {
      if (rt != null) {
        rt.close();
      }
      store.close();
      throw e;
    }
  }

  @Override
  public void close() {
    engine.close();
    runtime.close();
    store.close();
  }
}
