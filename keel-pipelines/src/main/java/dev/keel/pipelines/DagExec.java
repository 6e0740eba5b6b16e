package dev.keel.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.pipelines.spec.ComponentSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The engine's live view of one DAG execution: the root, or a sub-pipeline's instance. */
final class DagExec {
  final String path;
  final ComponentSpec component;
  final TaskExec owner;
  final Map<String, JsonNode> inputParams;
  final Map<String, List<ArtifactRef>> inputArtifacts;
  final Map<String, TaskExec> tasks = new LinkedHashMap<>();

  /** Tasks started and not yet ended. */
  int active;

  boolean finished;

  /** The item index when this DAG is one iteration of a ParallelFor, else -1. */
  int iteration = -1;

  DagExec(
      String path,
      ComponentSpec component,
      TaskExec owner,
      Map<String, JsonNode> inputParams,
      Map<String, List<ArtifactRef>> inputArtifacts) {
    this.path = path;
    this.component = component;
    this.owner = owner;
    this.inputParams = inputParams;
    this.inputArtifacts = inputArtifacts;
  }

  String childPath(String taskName) {
    return path.isEmpty() ? taskName : path + "/" + taskName;
  }
}
