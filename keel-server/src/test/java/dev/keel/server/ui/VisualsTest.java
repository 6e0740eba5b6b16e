package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.Json;
import dev.keel.store.ArtifactRecord;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What artifacts show, from their metadata alone, including metadata that is not as it should be.
 */
class VisualsTest {
  static ArtifactRecord artifact(String type, String metadata) {
    return new ArtifactRecord("a1", "r1", "t1", "m", "file:///x", type, metadata, Instant.EPOCH);
  }

  @Test
  void metrics_are_numbers_in_a_table_and_the_rest_is_metadata() {
    Visuals.Visual v =
        Visuals.of(
            artifact(
                Visuals.METRICS,
                "{\"accuracy\": 0.91234567, \"loss\": 3, \"display_name\": \"m\"}"));
    assertThat(v.kind()).isEqualTo("metrics");
    assertThat(v.scalars())
        .extracting(Visuals.Scalar::name, Visuals.Scalar::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("accuracy", "0.9123"),
            org.assertj.core.groups.Tuple.tuple("loss", "3"));
    assertThat(v.metadata()).extracting(Views.Entry::name).containsExactly("display_name");
    assertThat(Visuals.of(artifact(Visuals.METRICS, "not json")).scalars()).isEmpty();
    assertThat(Visuals.of(artifact(Visuals.METRICS, null)).scalars()).isEmpty();
  }

  @Test
  void a_ragged_confusion_matrix_is_padded_with_zeros_and_coloured_by_its_largest_cell() {
    Visuals.Confusion c =
        Visuals.confusion(
            Json.parse(
                "{\"annotationSpecs\": [{\"displayName\": \"a\"}, {\"displayName\": \"b\"}],"
                    + " \"rows\": [{\"row\": [10]}, {\"row\": [2, 5, 99]}]}"));
    assertThat(c.labels()).containsExactly("a", "b");
    assertThat(c.cell(0, 0).value()).isEqualTo("10");
    assertThat(c.cell(0, 1).value()).isEqualTo("0");
    assertThat(c.cell(1, 1).value()).isEqualTo("5");
    assertThat(c.cell(0, 0).dark()).isTrue();
    assertThat(c.cell(0, 1).background()).isEqualTo("hsl(220,65%,97%)");
    assertThat(Visuals.confusion(Json.parse("{}"))).isNull();
  }

  @Test
  void roc_points_are_sorted_by_false_positive_rate_and_placed_in_the_square() {
    Visuals.Roc roc =
        Visuals.roc(
            List.of(
                new Visuals.Series(
                    "run",
                    Json.parse(
                        "[{\"falsePositiveRate\": 1, \"recall\": 1, \"confidenceThreshold\": 0},"
                            + " {\"falsePositiveRate\": 0, \"recall\": 0.5, \"confidenceThreshold\": 0.9},"
                            + " {\"falsePositiveRate\": 2, \"recall\": \"x\"}]")),
                new Visuals.Series("empty", Json.parse("[]"))));
    assertThat(roc.curves()).singleElement();
    Visuals.Curve c = roc.curves().get(0);
    assertThat(c.dots()).extracting(Visuals.Point::fpr).containsExactly(0.0, 1.0);
    Visuals.Point first = c.dots().get(0);
    assertThat(first.x()).isEqualTo(roc.left());
    assertThat(first.y()).isEqualTo(roc.top() + roc.size() / 2);
    assertThat(first.threshold()).isEqualTo("0.9");
    assertThat(c.points()).isEqualTo("48.0,134.0 288.0,14.0");
  }

  @Test
  void a_long_curve_keeps_every_point_in_its_line_and_draws_fewer_dots() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i <= 1000; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"falsePositiveRate\": ")
          .append(i / 1000.0)
          .append(", \"recall\": ")
          .append(Math.sqrt(i / 1000.0))
          .append('}');
    }
    Visuals.Curve c =
        Visuals.roc(List.of(new Visuals.Series("long", Json.parse(b + "]")))).curves().get(0);
    assertThat(c.points().split(" ")).hasSize(1001);
    assertThat(c.dots()).hasSize(Visuals.MAX_DOTS);
    assertThat(c.dots().get(c.dots().size() - 1).fpr()).isEqualTo(1.0);
  }

  @Test
  void markdown_escapes_raw_html_and_drops_script_links() {
    String html =
        ArtifactFiles.markdown(
            "# T\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) | x\n--|--\n1|2\n");
    assertThat(html)
        .contains("<h1>T</h1>")
        .contains("&lt;img src=x onerror=alert(1)&gt;")
        .doesNotContain("<img")
        .doesNotContain("javascript:")
        .contains("<table>");
  }
}
