package dev.keel.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Json;
import dev.keel.store.RunRecord;
import dev.keel.store.TaskRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * KFP v2beta1 API JSON (kfp.md C.3) for Keel's records: snake_case field names, RFC 3339
 * timestamps, empty fields omitted, as the KFP API server writes them.
 */
public final class KfpJson {
  private KfpJson() {}

  /**
   * A {@code Run} with {@code run_details.task_details}.
   *
   * @param withSpec whether to include {@code pipeline_spec}
   */
  public static ObjectNode run(RunRecord run, List<TaskRecord> tasks, boolean withSpec) {
    ObjectNode n = Json.json().createObjectNode();
    n.put("experiment_id", run.experimentId());
    n.put("run_id", run.id());
    n.put("display_name", run.displayName());
    n.put("storage_state", run.storageState());
    putIfSet(n, "description", run.description());
    if (run.pipelineVersionId() != null) {
      ObjectNode ref = n.putObject("pipeline_version_reference");
      ref.put("pipeline_version_id", run.pipelineVersionId());
    } else if (withSpec) {
      n.set("pipeline_spec", Json.parse(run.pipelineSpec()));
    }
    JsonNode rc = Json.parse(run.runtimeConfig());
    n.set("runtime_config", rc);
    n.put("namespace", run.namespace());
    time(n, "created_at", run.createdAt());
    time(n, "scheduled_at", run.scheduledAt());
    time(n, "finished_at", run.finishedAt());
    n.put("state", run.state());
    if (run.error() != null) {
      ObjectNode err = n.putObject("error");
      err.put("code", 2);
      err.put("message", run.error());
    }
    ObjectNode details = n.putObject("run_details");
    ArrayNode taskDetails = details.putArray("task_details");
    Map<String, List<TaskRecord>> children = new HashMap<>();
    for (TaskRecord t : tasks) {
      if (t.parentTaskId() != null) {
        children.computeIfAbsent(t.parentTaskId(), k -> new ArrayList<>()).add(t);
      }
    }
    for (TaskRecord t : tasks) {
      taskDetails.add(task(t, children.getOrDefault(t.id(), List.of())));
    }
    putIfSet(n, "recurring_run_id", run.recurringRunId());
    if (run.stateHistory() != null && !run.stateHistory().isBlank()) {
      n.set("state_history", Json.parse(run.stateHistory()));
    }
    if (run.outputs() != null && !run.outputs().isBlank()) {
      ObjectNode plugins = n.putObject("plugins_output");
      plugins.set("keel.dev/outputs", Json.parse(run.outputs()));
    }
    return n;
  }

  /** A {@code PipelineTaskDetail}. */
  public static ObjectNode task(TaskRecord t, List<TaskRecord> children) {
    ObjectNode n = Json.json().createObjectNode();
    n.put("run_id", t.runId());
    n.put("task_id", t.id());
    n.put("display_name", t.displayName());
    time(n, "create_time", t.createdAt());
    time(n, "start_time", t.startedAt());
    time(n, "end_time", t.finishedAt());
    n.put("state", TaskState.valueOf(t.state()).apiName());
    n.put("execution_id", t.id());
    if (t.error() != null) {
      ObjectNode err = n.putObject("error");
      err.put("code", 2);
      err.put("message", t.error());
    }
    n.set("inputs", artifactIds(t.inputs()));
    n.set("outputs", artifactIds(t.outputs()));
    putIfSet(n, "parent_task_id", t.parentTaskId());
    if (t.pid() != null) {
      n.put("pod_name", "pid-" + t.pid());
    }
    if (!children.isEmpty()) {
      ArrayNode c = n.putArray("child_tasks");
      for (TaskRecord child : children) {
        c.addObject().put("task_id", child.id());
      }
    }
    return n;
  }

  private static ObjectNode artifactIds(String io) {
    ObjectNode out = Json.json().createObjectNode();
    if (io == null || io.isBlank()) {
      return out;
    }
    Json.parse(io)
        .path("artifacts")
        .fields()
        .forEachRemaining(
            e -> {
              ArrayNode ids = out.putObject(e.getKey()).putArray("artifact_ids");
              e.getValue().forEach(a -> ids.add(a.path("id").asText()));
            });
    return out;
  }

  private static void time(ObjectNode n, String field, Instant t) {
    if (t != null) {
      n.put(field, t.toString());
    }
  }

  private static void putIfSet(ObjectNode n, String field, String value) {
    if (value != null && !value.isEmpty()) {
      n.put(field, value);
    }
  }
}
