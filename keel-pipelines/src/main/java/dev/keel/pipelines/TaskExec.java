package dev.keel.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Json;
import dev.keel.pipelines.spec.ComponentSpec;
import dev.keel.pipelines.spec.PipelineTaskSpec;
import dev.keel.runtime.Workload;
import dev.keel.store.TaskRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The engine's live view of one task of a run; only the engine thread touches it. */
final class TaskExec {
  final String name;
  final String path;
  final PipelineTaskSpec spec;
  final ComponentSpec component;
  final DagExec parent;

  /** Sibling tasks this one waits for, and the ones waiting for it. */
  final List<TaskExec> upstream = new ArrayList<>();

  final List<TaskExec> downstream = new ArrayList<>();
  int waiting;

  String id;
  TaskState state = TaskState.PENDING;
  int attempt;
  String fingerprint;
  String cachedFromTaskId;
  String error;
  String logPath;
  String workloadId;
  Long pid;
  Instant pidStartedAt;
  Instant createdAt;
  Instant startedAt;
  Instant finishedAt;
  boolean recorded;

  Map<String, JsonNode> inputParams = new LinkedHashMap<>();
  Map<String, List<ArtifactRef>> inputArtifacts = new LinkedHashMap<>();

  /** The inputs as stored, made once: they do not change between a task's records. */
  private String inputsJson;

  Map<String, JsonNode> outputParams = new LinkedHashMap<>();
  Map<String, List<ArtifactRef>> outputArtifacts = new LinkedHashMap<>();

  DagExec child;
  LoopState loop;
  Workload workload;

  TaskExec(
      String name, String path, PipelineTaskSpec spec, ComponentSpec component, DagExec parent) {
    this.name = name;
    this.path = path;
    this.spec = spec;
    this.component = component;
    this.parent = parent;
  }

  String displayName() {
    return spec.taskInfo() != null && spec.taskInfo().name() != null
        ? spec.taskInfo().name()
        : name;
  }

  String componentName() {
    return spec.componentRef() == null ? "" : spec.componentRef().name();
  }

  TaskRecord toRecord(String runId) {
    return new TaskRecord(
        id,
        runId,
        parent.owner == null ? null : parent.owner.id,
        path,
        name,
        displayName(),
        componentName(),
        state.name(),
        attempt,
        fingerprint,
        cachedFromTaskId,
        inputsJson(),
        ioJson(outputParams, outputArtifacts),
        error,
        workloadId,
        pid,
        pidStartedAt,
        logPath,
        createdAt,
        startedAt,
        finishedAt);
  }

  private String inputsJson() {
    if (inputsJson == null) {
      inputsJson = ioJson(inputParams, inputArtifacts);
    }
    return inputsJson;
  }

  /** To call before the inputs change (they are resolved again). */
  void inputsChanging() {
    inputsJson = null;
  }

  /** Restores what a stored record says about this task. */
  void restore(TaskRecord r) {
    id = r.id();
    state = TaskState.valueOf(r.state());
    attempt = r.attempt();
    fingerprint = r.fingerprint();
    cachedFromTaskId = r.cachedFromTaskId();
    error = r.error();
    logPath = r.logPath();
    workloadId = r.workloadId();
    pid = r.pid();
    pidStartedAt = r.pidStartedAt();
    createdAt = r.createdAt();
    startedAt = r.startedAt();
    finishedAt = r.finishedAt();
    recorded = true;
    inputsJson = null;
    readIo(r.inputs(), inputParams, inputArtifacts);
    readIo(r.outputs(), outputParams, outputArtifacts);
  }

  /** What {@link #io} writes for no parameters and no artifacts (a task before it ends). */
  private static final String NO_IO = Json.write(io(Map.of(), Map.of()));

  /** {@link #io} as JSON text; the constant {@link #NO_IO} when there is nothing to write. */
  private static String ioJson(
      Map<String, JsonNode> params, Map<String, List<ArtifactRef>> artifacts) {
    return params.isEmpty() && artifacts.isEmpty() ? NO_IO : Json.write(io(params, artifacts));
  }

  static ObjectNode io(Map<String, JsonNode> params, Map<String, List<ArtifactRef>> artifacts) {
    ObjectNode n = Json.json().createObjectNode();
    ObjectNode p = n.putObject("parameters");
    params.forEach(p::set);
    ObjectNode a = n.putObject("artifacts");
    artifacts.forEach(
        (k, refs) -> {
          ArrayNode arr = a.putArray(k);
          refs.forEach(r -> arr.add(r.toJson()));
        });
    return n;
  }

  static void readIo(
      String json, Map<String, JsonNode> params, Map<String, List<ArtifactRef>> artifacts) {
    params.clear();
    artifacts.clear();
    if (json == null || json.isBlank()) {
      return;
    }
    JsonNode n = Json.parse(json);
    n.path("parameters").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue()));
    n.path("artifacts")
        .fields()
        .forEachRemaining(
            e -> {
              List<ArtifactRef> refs = new ArrayList<>();
              e.getValue().forEach(x -> refs.add(ArtifactRef.fromJson(x)));
              artifacts.put(e.getKey(), refs);
            });
  }
}
