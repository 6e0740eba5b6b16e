package dev.keel.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Where a ParallelFor stands: its items and its iterations, started and running. */
final class LoopState {
  final int size;
  List<JsonNode> items = List.of();
  List<ArtifactRef> artifactItems = List.of();
  final Map<Integer, DagExec> dags = new HashMap<>();
  int next;
  int running;
  boolean failed;

  LoopState(int size) {
    this.size = size;
  }
}
