package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DagLayoutTest {
  static final double EPS = 1.0;

  @Test
  void diamond_places_four_boxes_without_overlap_and_routes_each_edge_between_its_nodes() {
    List<DagLayout.Node> nodes =
        List.of(
            new DagLayout.Node("a", "a", "SUCCEEDED"),
            new DagLayout.Node("b", "b", "RUNNING"),
            new DagLayout.Node("c", "a much longer task name than the others", null),
            new DagLayout.Node("d", "d", null));
    List<DagLayout.Edge> edges =
        List.of(
            new DagLayout.Edge("a", "b", true),
            new DagLayout.Edge("a", "c", false),
            new DagLayout.Edge("b", "d", true),
            new DagLayout.Edge("c", "d", true));
    DagLayout.Drawing d = DagLayout.layout(nodes, edges);

    assertThat(d.boxes()).hasSize(4);
    assertNoOverlap(d);
    assertRoutesConnect(d);
    assertThat(d.routes())
        .extracting(r -> r.edge().from() + ">" + r.edge().to())
        .containsExactlyInAnyOrder("a>b", "a>c", "b>d", "c>d");
    // top to bottom: a above b and c, which are above d
    assertThat(d.box("a").y()).isLessThan(d.box("b").y());
    assertThat(d.box("b").y()).isLessThan(d.box("d").y());
    assertThat(d.box("c").y()).isLessThan(d.box("d").y());
    assertThat(d.box("c").width()).isGreaterThan(d.box("a").width());
    assertThat(d.box("c").shortLabel()).endsWith("…");
  }

  @Test
  void repeated_self_and_dangling_edges_are_left_out_and_data_wins() {
    DagLayout.Drawing d =
        DagLayout.layout(
            List.of(new DagLayout.Node("a", null, null), new DagLayout.Node("b", null, null)),
            List.of(
                new DagLayout.Edge("a", "b", false),
                new DagLayout.Edge("a", "b", true),
                new DagLayout.Edge("a", "a", true),
                new DagLayout.Edge("a", "ghost", true)));
    assertThat(d.routes()).hasSize(1);
    assertThat(d.routes().get(0).edge().data()).isTrue();
  }

  @Test
  void no_nodes_is_an_empty_drawing() {
    assertThat(DagLayout.layout(List.of(), List.of()).isEmpty()).isTrue();
  }

  static Stream<String> conformance() throws IOException {
    try (Stream<Path> files = Files.list(dir())) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(".yaml"))
          .sorted()
          .toList()
          .stream();
    }
  }

  static Path dir() {
    return Path.of(System.getProperty("keel.shared", "../../shared"), "conformance", "kfp-ir");
  }

  @ParameterizedTest
  @MethodSource("conformance")
  void every_conformance_pipeline_lays_out_cleanly(String file) throws IOException {
    PipelineDocument doc = PipelineSpecReader.readText(Files.readString(dir().resolve(file)));
    DagLayout.Drawing d = PipelineGraph.draw(doc.spec(), Map.of());
    assertThat(d.boxes()).hasSize(doc.spec().root().dag().tasks().size());
    assertNoOverlap(d);
    assertRoutesConnect(d);
    // every dependency of the root DAG is drawn
    doc.spec()
        .root()
        .dag()
        .tasks()
        .forEach(
            (name, t) ->
                t.dependentTasks()
                    .forEach(
                        dep ->
                            assertThat(d.routes())
                                .anyMatch(
                                    r ->
                                        r.edge().from().equals(dep)
                                            && r.edge().to().equals(name))));
  }

  @Test
  void data_flow_is_an_edge_even_without_a_dependency() {
    PipelineDocument doc =
        PipelineSpecReader.readText(
            """
            pipelineInfo: {name: flow}
            schemaVersion: 2.1.0
            components:
              comp-a:
                executorLabel: exec-a
                outputDefinitions: {parameters: {out: {parameterType: STRING}}}
              comp-b:
                executorLabel: exec-b
                inputDefinitions: {parameters: {x: {parameterType: STRING}}}
            deploymentSpec:
              executors:
                exec-a: {container: {image: alpine, command: [echo]}}
                exec-b: {container: {image: alpine, command: [echo]}}
            root:
              dag:
                tasks:
                  a: {componentRef: {name: comp-a}, taskInfo: {name: a}}
                  b:
                    componentRef: {name: comp-b}
                    taskInfo: {name: b}
                    inputs:
                      parameters:
                        x: {taskOutputParameter: {producerTask: a, outputParameterKey: out}}
            """);
    DagLayout.Drawing d = PipelineGraph.draw(doc.spec(), Map.of("a", "SUCCEEDED"));
    assertThat(d.routes())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.edge().from()).isEqualTo("a");
              assertThat(r.edge().to()).isEqualTo("b");
              assertThat(r.edge().data()).isTrue();
            });
    assertThat(d.box("a").node().state()).isEqualTo("SUCCEEDED");
  }

  static void assertNoOverlap(DagLayout.Drawing d) {
    List<DagLayout.Box> b = d.boxes();
    for (int i = 0; i < b.size(); i++) {
      DagLayout.Box p = b.get(i);
      assertThat(p.x()).isGreaterThanOrEqualTo(0);
      assertThat(p.y()).isGreaterThanOrEqualTo(0);
      assertThat(p.x() + p.width()).isLessThanOrEqualTo(d.width() + EPS);
      assertThat(p.y() + p.height()).isLessThanOrEqualTo(d.height() + EPS);
      for (int j = i + 1; j < b.size(); j++) {
        DagLayout.Box q = b.get(j);
        boolean apart =
            p.x() + p.width() <= q.x()
                || q.x() + q.width() <= p.x()
                || p.y() + p.height() <= q.y()
                || q.y() + q.height() <= p.y();
        assertThat(apart).as("%s and %s overlap", p, q).isTrue();
      }
    }
  }

  static void assertRoutesConnect(DagLayout.Drawing d) {
    for (DagLayout.Route r : d.routes()) {
      assertThat(r.points()).hasSizeGreaterThanOrEqualTo(2);
      double[] start = r.points().get(0);
      double[] end = r.points().get(r.points().size() - 1);
      assertThat(onBorder(d.box(r.edge().from()), start))
          .as("%s starts on its source", r.edge())
          .isTrue();
      assertThat(onBorder(d.box(r.edge().to()), end))
          .as("%s ends on its target", r.edge())
          .isTrue();
    }
  }

  static boolean onBorder(DagLayout.Box b, double[] p) {
    boolean inX = p[0] >= b.x() - EPS && p[0] <= b.x() + b.width() + EPS;
    boolean inY = p[1] >= b.y() - EPS && p[1] <= b.y() + b.height() + EPS;
    boolean nearEdge =
        Math.abs(p[0] - b.x()) <= EPS
            || Math.abs(p[0] - b.x() - b.width()) <= EPS
            || Math.abs(p[1] - b.y()) <= EPS
            || Math.abs(p[1] - b.y() - b.height()) <= EPS;
    return inX && inY && nearEdge;
  }
}
