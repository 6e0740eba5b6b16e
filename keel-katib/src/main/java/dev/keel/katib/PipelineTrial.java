package dev.keel.katib;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.pipelines.PipelineEngine;
import dev.keel.pipelines.RunRequest;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.pipelines.spec.PipelineValidator;
import dev.keel.runtime.Phase;
import dev.keel.runtime.ResourceRequest;
import dev.keel.runtime.Workload;
import dev.keel.runtime.WorkloadSpec;
import dev.keel.runtime.WorkloadStatus;
import dev.keel.store.ArtifactRecord;
import dev.keel.store.RunRecord;
import dev.keel.store.Store;
import dev.keel.store.TaskRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * A trial that is a Keel pipeline run: a trial template of {@code apiVersion:
 * pipelines.kubeflow.org/v2beta1}, {@code kind: Run}, whose {@code spec} holds the run as KFP's
 * REST API takes it — the compiled pipeline inline as {@code pipeline_spec} and the parameters as
 * {@code runtime_config.parameters}, where {@code ${trialParameters.x}} put the trial's values.
 *
 * <p>It looks to the controller like any other workload: it ends when the run does, succeeded when
 * the run SUCCEEDED, and its log ({@code trial.log}) holds every task's log, in the order the tasks
 * ran, then every value the run's {@code system.Metrics} artifacts logged as {@code name=value}
 * lines — so the StdOut collector reads {@code metrics.log_metric("accuracy", 0.9)} as it reads a
 * printed {@code accuracy=0.9}.
 */
final class PipelineTrial implements Workload {
  static final String API_VERSION = "pipelines.kubeflow.org/v2beta1";

  private final PipelineEngine engine;
  private final Store store;
  private final String runId;
  private final WorkloadSpec spec;
  private final Instant started;
  private final CompletableFuture<WorkloadStatus> completion;

  private PipelineTrial(
      PipelineEngine engine, Store store, String runId, WorkloadSpec spec, Instant started) {
    this.engine = engine;
    this.store = store;
    this.runId = runId;
    this.spec = spec;
    this.started = started;
    this.completion = engine.completion(runId).thenApply(this::ended);
  }

  /** Whether a rendered trial template is a pipeline run. */
  static boolean is(JsonNode rendered) {
    return rendered.path("apiVersion").asText().equals(API_VERSION)
        && rendered.path("kind").asText().equals("Run");
  }

  /**
   * Starts the run a rendered template describes.
   *
   * @throws IllegalArgumentException naming what is wrong with the template's run
   */
  static PipelineTrial start(
      PipelineEngine engine,
      Store store,
      JsonNode rendered,
      String trial,
      String namespace,
      Path dir,
      Instant now) {
    JsonNode run = rendered.path("spec");
    JsonNode pipelineSpec = run.path("pipeline_spec");
    if (!pipelineSpec.isObject()) {
      throw new IllegalArgumentException(
          "a pipeline trial needs the compiled pipeline inline as spec.pipeline_spec");
    }
    PipelineDocument pipeline;
    try {
      pipeline = PipelineSpecReader.fromTree(pipelineSpec);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("spec.pipeline_spec: " + e.getMessage());
    }
    List<Problem> problems = PipelineValidator.validate(pipeline);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "spec.pipeline_spec: "
              + problems.stream()
                  .map(p -> p.path() + ": " + p.reason())
                  .collect(Collectors.joining("; ")));
    }
    Map<String, JsonNode> parameters = new LinkedHashMap<>();
    run.path("runtime_config")
        .path("parameters")
        .fields()
        .forEachRemaining(e -> parameters.put(e.getKey(), e.getValue()));
    String runId =
        engine.submit(new RunRequest(pipeline, parameters, namespace, trial, null, null));
    WorkloadSpec spec =
        WorkloadSpec.builder(trial)
            .namespace(namespace)
            .command(List.of("keel-pipeline-run", runId))
            .workingDir(dir)
            .logFile(dir.resolve("trial.log"))
            .resources(ResourceRequest.NONE)
            .build();
    return new PipelineTrial(engine, store, runId, spec, now);
  }

  @Override
  public String id() {
    return runId;
  }

  @Override
  public WorkloadSpec spec() {
    return spec;
  }

  @Override
  public WorkloadStatus status() {
    return completion.isDone()
        ? completion.join()
        : new WorkloadStatus(Phase.RUNNING, null, "Started", null, started, null, null, null);
  }

  @Override
  public CompletableFuture<WorkloadStatus> completion() {
    return completion;
  }

  @Override
  public void cancel() {
    engine.terminate(runId);
  }

  /** Writes the trial's log and says how the run ended. */
  private WorkloadStatus ended(RunRecord run) {
    List<String> lines = new ArrayList<>();
    List<TaskRecord> tasks = new ArrayList<>(store.tasks().listByRun(runId));
    tasks.sort(
        (a, b) ->
            a.startedAt() == null || b.startedAt() == null
                ? 0
                : a.startedAt().compareTo(b.startedAt()));
    for (TaskRecord t : tasks) {
      if (t.logPath() == null) {
        continue;
      }
      try {
        lines.addAll(Files.readAllLines(Path.of(t.logPath()), StandardCharsets.UTF_8));
      } catch (IOException e) {
        // a task that wrote nothing
      }
    }
    for (ArtifactRecord a : store.artifacts().listByRun(runId)) {
      if (!"system.Metrics".equals(a.schemaTitle()) || a.metadata() == null) {
        continue;
      }
      Json.parse(a.metadata())
          .fields()
          .forEachRemaining(
              e -> {
                if (e.getValue().isNumber()) {
                  lines.add(e.getKey() + "=" + e.getValue().asText());
                }
              });
    }
    try {
      Files.createDirectories(spec.workingDir());
      Files.write(spec.logFile(), lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      // no log: the collector finds no metrics and says so
    }
    boolean ok = "SUCCEEDED".equals(run.state());
    String message =
        ok
            ? null
            : "the pipeline run "
                + runId
                + " ended "
                + run.state()
                + (run.error() == null || run.error().isBlank() ? "" : ": " + run.error());
    return new WorkloadStatus(
        ok ? Phase.SUCCEEDED : Phase.FAILED,
        ok ? 0 : 1,
        ok ? "Completed" : "Error",
        message,
        started,
        run.finishedAt(),
        null,
        null);
  }
}
