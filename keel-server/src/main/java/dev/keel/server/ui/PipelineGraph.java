package dev.keel.server.ui;

import dev.keel.pipelines.spec.ComponentSpec;
import dev.keel.pipelines.spec.DagSpec;
import dev.keel.pipelines.spec.InputArtifactSpec;
import dev.keel.pipelines.spec.InputParameterSpec;
import dev.keel.pipelines.spec.PipelineSpec;
import dev.keel.pipelines.spec.PipelineTaskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The graph of a pipeline's root DAG: one node per task, an edge per dependency ({@code
 * dependentTasks}) and per output that flows into another task's input.
 */
public final class PipelineGraph {
  private PipelineGraph() {}

  /**
   * The nodes and edges of the root DAG; a node's state comes from {@code states} (task name to
   * state), empty when the task has not run.
   */
  public static DagLayout.Drawing draw(PipelineSpec spec, Map<String, String> states) {
    List<DagLayout.Node> nodes = new ArrayList<>();
    List<DagLayout.Edge> edges = new ArrayList<>();
    DagSpec dag = spec.root() == null ? null : spec.root().dag();
    if (dag == null) {
      return DagLayout.layout(nodes, edges);
    }
    for (Map.Entry<String, PipelineTaskSpec> e : dag.tasks().entrySet()) {
      String name = e.getKey();
      PipelineTaskSpec t = e.getValue();
      String label =
          t.taskInfo() != null && t.taskInfo().name() != null ? t.taskInfo().name() : name;
      ComponentSpec c =
          t.componentRef() == null ? null : spec.components().get(t.componentRef().name());
      if (c != null && c.dag() != null) {
        boolean loop = RunGraph.isLoop(t);
        String kind =
            loop
                ? "loop"
                : t.triggerPolicy() != null && t.triggerPolicy().condition() != null
                    ? "condition"
                    : "dag";
        int n = c.dag().tasks().size();
        String note = (loop ? "ParallelFor of " : "") + n + (n == 1 ? " task" : " tasks");
        nodes.add(new DagLayout.Node(name, label, states.get(name), kind, note, null));
      } else {
        nodes.add(new DagLayout.Node(name, label, states.get(name)));
      }
      edges.addAll(edgesInto(name, t));
    }
    return DagLayout.layout(nodes, edges);
  }

  /** The edges into task {@code name}: data first, then plain ordering. */
  static List<DagLayout.Edge> edgesInto(String name, PipelineTaskSpec t) {
    List<DagLayout.Edge> out = new ArrayList<>();
    if (t.inputs() != null) {
      for (InputParameterSpec p : t.inputs().parameters().values()) {
        if (p.taskOutputParameter() != null && p.taskOutputParameter().producerTask() != null) {
          out.add(new DagLayout.Edge(p.taskOutputParameter().producerTask(), name, true));
        }
        if (p.taskFinalStatus() != null && p.taskFinalStatus().producerTask() != null) {
          out.add(new DagLayout.Edge(p.taskFinalStatus().producerTask(), name, false));
        }
      }
      for (InputArtifactSpec a : t.inputs().artifacts().values()) {
        if (a.taskOutputArtifact() != null && a.taskOutputArtifact().producerTask() != null) {
          out.add(new DagLayout.Edge(a.taskOutputArtifact().producerTask(), name, true));
        }
      }
    }
    for (String dep : t.dependentTasks()) {
      out.add(new DagLayout.Edge(dep, name, false));
    }
    return out;
  }
}
