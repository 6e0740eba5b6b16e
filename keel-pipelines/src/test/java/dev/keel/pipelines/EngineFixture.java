package dev.keel.pipelines;

import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.runtime.LocalRuntime;
import dev.keel.store.RunRecord;
import dev.keel.store.Store;
import dev.keel.store.TaskRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real SQLite store, a real local runtime and an engine over them, in a temp folder. */
final class EngineFixture implements AutoCloseable {
  final Path dir;
  final Store store;
  final LocalRuntime runtime;
  final PipelineEngine engine;
  final List<String> notes = new CopyOnWriteArrayList<>();

  EngineFixture(Path dir) {
    this(dir, 4);
  }

  EngineFixture(Path dir, int parallelism) {
    this.dir = dir;
    this.store = Store.sqlite(dir.resolve("keel.db"));
    this.runtime = LocalRuntime.builder().parallelism(parallelism).build();
    this.engine =
        PipelineEngine.builder(store, runtime)
            .dataDir(dir)
            .listener(
                new EngineListener() {
                  @Override
                  public void note(String runId, String message) {
                    notes.add(message);
                  }
                })
            .build();
  }

  static PipelineDocument yaml(String text) {
    return PipelineSpecReader.readText(text);
  }

  static Path conformance(String file) {
    return Path.of(
        System.getProperty("keel.shared", "../../shared"), "conformance", "kfp-ir", file);
  }

  RunRecord run(PipelineDocument doc, Map<String, com.fasterxml.jackson.databind.JsonNode> params)
      throws InterruptedException {
    return engine.await(engine.submit(RunRequest.of(doc, params)));
  }

  RunRecord run(PipelineDocument doc) throws InterruptedException {
    return run(doc, Map.of());
  }

  List<TaskRecord> tasks(String runId) {
    return store.tasks().listByRun(runId);
  }

  TaskRecord task(String runId, String path) {
    Optional<TaskRecord> t = store.tasks().getByPath(runId, path);
    return t.orElseThrow(() -> new AssertionError("no task " + path + " in " + tasks(runId)));
  }

  @Override
  public void close() {
    engine.close();
    runtime.close();
    store.close();
  }
}
