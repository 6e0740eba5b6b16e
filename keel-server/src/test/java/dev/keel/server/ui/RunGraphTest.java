package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.pipelines.spec.ComponentSpec;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpec;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.pipelines.spec.PipelineTaskSpec;
import dev.keel.store.NotFoundException;
import dev.keel.store.TaskRecord;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The levels of a run's graph, from the pipeline spec and the tasks the engine stored. */
class RunGraphTest {
  static Stream<String> conformance() throws Exception {
    return DagLayoutTest.conformance();
  }

  /**
   * Every level of every conformance pipeline (each nested DAG, condition and loop, and a loop's
   * first iteration) resolves by path and lays out cleanly before anything has run.
   */
  @ParameterizedTest
  @MethodSource("conformance")
  void every_level_of_every_conformance_pipeline_opens(String file) throws Exception {
    PipelineDocument doc =
        PipelineSpecReader.readText(Files.readString(DagLayoutTest.dir().resolve(file)));
    PipelineSpec spec = doc.spec();
    List<String> levels = new ArrayList<>();
    walk(spec, spec.root(), "", levels);
    for (String path : levels) {
      RunGraph.Level level = RunGraph.resolve(spec, List.of(), path);
      assertThat(level.dag()).isEqualTo(path);
      assertThat(level.crumbs()).isNotEmpty();
      DagLayout.Drawing d = RunGraph.draw(spec, level, List.of(), "/runs/r");
      if (level.kind() == RunGraph.Kind.DAG) {
        assertThat(d.boxes()).as(path).hasSize(level.component().dag().tasks().size());
      }
      DagLayoutTest.assertNoOverlap(d);
      DagLayoutTest.assertRoutesConnect(d);
      for (DagLayout.Box b : d.boxes()) {
        assertThat(b.node().id()).startsWith(path);
        if (b.node().open() != null) {
          // what a node opens is a level too
          RunGraph.resolve(spec, List.of(), b.node().id());
        }
      }
    }
    if (file.equals("pipeline_with_nested_loops.yaml")) {
      assertThat(levels)
          .contains("for-loop-1", "for-loop-1(0)", "for-loop-1(0)/for-loop-2(0)", "for-loop-4");
    }
  }

  private static void walk(PipelineSpec spec, ComponentSpec comp, String prefix, List<String> out) {
    for (Map.Entry<String, PipelineTaskSpec> e : comp.dag().tasks().entrySet()) {
      ComponentSpec c = RunGraph.componentOf(spec, e.getValue());
      if (c == null || c.dag() == null) {
        continue;
      }
      String path = prefix.isEmpty() ? e.getKey() : prefix + "/" + e.getKey();
      out.add(path);
      if (RunGraph.isLoop(e.getValue())) {
        path = path + "(0)";
        out.add(path);
      }
      walk(spec, c, path, out);
    }
  }

  static TaskRecord task(String id, String path, String state, String inputs) {
    Instant now = Instant.now();
    return new TaskRecord(
        id, "run", null, path, path, path, "c", state, 1, null, null, inputs, "{}", null, null,
        null, null, null, now, now, null);
  }

  @Test
  void a_loops_iterations_come_from_its_items_and_tasks_with_their_states() throws Exception {
    PipelineSpec spec = DashboardFixture.conformance("pipeline_with_nested_loops.yaml").spec();
    List<TaskRecord> tasks =
        List.of(
            task(
                "t1",
                "for-loop-1",
                "RUNNING",
                "{\"parameters\":{\"pipelinechannel--loop_parameter\":[{\"p_b\":\"x\"},{\"p_b\":\"y\"},"
                    + "{\"p_b\":\"z\"}]}}"),
            task("t2", "for-loop-1(0)/for-loop-2", "SUCCEEDED", "{}"),
            task("t3", "for-loop-1(1)/for-loop-2", "FAILED", "{}"),
            task("t4", "for-loop-1(2)/for-loop-2", "RUNNING", "{}"));
    // by the loop task's id
    RunGraph.Level loop = RunGraph.resolve(spec, tasks, "t1");
    assertThat(loop.kind()).isEqualTo(RunGraph.Kind.LOOP);
    assertThat(loop.crumbs()).extracting(RunGraph.Crumb::dag).containsExactly("t1");
    DagLayout.Drawing d = RunGraph.draw(spec, loop, tasks, "/runs/r");
    assertThat(d.boxes())
        .extracting(b -> b.node().id() + "=" + b.node().state())
        .containsExactly(
            "for-loop-1(0)=SUCCEEDED", "for-loop-1(1)=FAILED", "for-loop-1(2)=RUNNING");
    assertThat(d.box("for-loop-1(0)").node().label()).isEqualTo("#0 {\"p_b\":\"x\"}");
    assertThat(d.box("for-loop-1(0)").node().open()).isEqualTo("/runs/r?dag=for-loop-1%280%29");
    // which tasks a level holds
    assertThat(loop.holds("for-loop-1(2)/for-loop-2")).isTrue();
    assertThat(loop.holds("for-loop-1")).isFalse();
    assertThat(loop.holds("for-loop-4(0)/x")).isFalse();
    RunGraph.Level it = RunGraph.resolve(spec, tasks, "for-loop-1(1)");
    assertThat(it.crumbs())
        .extracting(RunGraph.Crumb::label, RunGraph.Crumb::dag)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("for-loop-1", "t1"),
            org.assertj.core.groups.Tuple.tuple("iteration 1", "for-loop-1(1)"));
    assertThat(it.holds("for-loop-1(1)/for-loop-2")).isTrue();
    assertThat(it.holds("for-loop-1(10)/for-loop-2")).isFalse();
    // the root draws the loop as a node that holds tasks, with the count its items give
    DagLayout.Node root =
        RunGraph.draw(spec, RunGraph.resolve(spec, tasks, null), tasks, "/runs/r")
            .box("for-loop-1")
            .node();
    assertThat(root.kind()).isEqualTo("loop");
    assertThat(root.note()).isEqualTo("3 iterations");
    assertThat(root.open()).isEqualTo("/runs/r?dag=t1");
    assertThat(root.hasOpenButton()).isTrue();
    // what is no level
    for (String bad :
        new String[] {"nope", "for-loop-1(0)/for-loop-2(0)/print-op", "for-loop-1/for-loop-2"}) {
      assertThatThrownBy(() -> RunGraph.resolve(spec, tasks, bad))
          .as(bad)
          .isInstanceOf(NotFoundException.class);
    }
  }

  @Test
  void an_iterations_state_follows_its_tasks() {
    TaskRecord loop = task("l", "l", "RUNNING", "{}");
    List<TaskRecord> half = List.of(task("a", "l(0)/a", "SUCCEEDED", "{}"));
    assertThat(RunGraph.iterationState("l(0)", half, 2, loop)).isEqualTo("RUNNING");
    assertThat(RunGraph.iterationState("l(0)", half, 1, loop)).isEqualTo("SUCCEEDED");
    assertThat(RunGraph.iterationState("l(1)", half, 1, loop)).isEmpty();
    List<TaskRecord> failed =
        List.of(task("a", "l(0)/a", "SUCCEEDED", "{}"), task("b", "l(0)/b", "FAILED", "{}"));
    assertThat(RunGraph.iterationState("l(0)", failed, 3, loop)).isEqualTo("FAILED");
    // the tasks of nested levels do not count twice
    List<TaskRecord> nested =
        List.of(task("a", "l(0)/a", "SUCCEEDED", "{}"), task("b", "l(0)/a/x", "FAILED", "{}"));
    assertThat(RunGraph.iterationState("l(0)", nested, 1, loop)).isEqualTo("SUCCEEDED");
  }
}
