package dev.keel.katib;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MetricsTest {
  static final List<Pattern> DEFAULT = List.of(Pattern.compile(Experiment.DEFAULT_FILTER));

  @Test
  void the_default_filter_reads_what_katib_reads() {
    List<Metrics.Point> points =
        Metrics.parse(
            List.of(
                "epoch 1 loss=0.5 accuracy=.80",
                "2026-01-01T00:00:00Z epoch 2 loss=0.21 accuracy=0.93",
                "Score=-7.53e-05 is not asked for",
                "val-loss=9 (a different name)",
                "loss = 0.3"),
            List.of("loss", "accuracy"),
            DEFAULT);
    assertThat(points)
        .extracting(Metrics.Point::name, Metrics.Point::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("loss", "0.5"),
            org.assertj.core.groups.Tuple.tuple("accuracy", ".80"),
            org.assertj.core.groups.Tuple.tuple("loss", "0.21"),
            org.assertj.core.groups.Tuple.tuple("accuracy", "0.93"),
            org.assertj.core.groups.Tuple.tuple("loss", "0.3"));
    Metrics.Summary loss = Metrics.summarise("loss", points);
    assertThat(loss.min()).isEqualTo("0.21");
    assertThat(loss.max()).isEqualTo("0.5");
    assertThat(loss.latest()).isEqualTo("0.21"); // the one with the greatest timestamp
    assertThat(Metrics.summarise("f1", points).latest()).isEqualTo(Metrics.UNAVAILABLE);
  }

  @Test
  void a_custom_filter_reads_katibs_mnist_format() {
    Pattern p = Pattern.compile("\\{metricName: ([\\w|-]+), metricValue: ((-?\\d+)(\\.\\d+)?)\\}");
    List<Metrics.Point> points =
        Metrics.parse(
            List.of("{metricName: accuracy, metricValue: 0.9349}"),
            List.of("accuracy"),
            List.of(p));
    assertThat(points).singleElement().extracting(Metrics.Point::value).isEqualTo("0.9349");
  }
}
