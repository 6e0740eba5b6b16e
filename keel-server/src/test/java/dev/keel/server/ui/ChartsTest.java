package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChartsTest {
  static final List<Charts.Trial> TRIALS =
      List.of(
          new Charts.Trial("a", Map.of("lr", "0.1", "opt", "sgd"), 0.7),
          new Charts.Trial("b", Map.of("lr", "0.01", "opt", "adam"), 0.9),
          new Charts.Trial("c", Map.of("lr", "0.3", "opt", "sgd"), null),
          new Charts.Trial("d", Map.of("lr", "0.05", "opt", "adam"), 0.5));

  @Test
  void objective_dots_stay_in_the_plot_and_higher_is_higher_on_screen() {
    Charts.Line l = Charts.objective(TRIALS, true);
    assertThat(l.dots()).extracting(Charts.Dot::trial).containsExactly("a", "b", "d");
    for (Charts.Dot d : l.dots()) {
      assertThat(d.x()).isBetween(l.left(), l.right());
      assertThat(d.y()).isBetween(l.top(), l.bottom());
    }
    assertThat(l.dots().get(1).y()).isLessThan(l.dots().get(0).y()); // 0.9 above 0.7
    // trials keep their place on the x axis: d is the fourth of four
    assertThat(l.dots().get(2).x()).isEqualTo(l.right());
  }

  @Test
  void best_so_far_only_improves() {
    double[] ys = ys(Charts.objective(TRIALS, true).bestSoFar());
    for (int i = 1; i < ys.length; i++) {
      assertThat(ys[i]).isLessThanOrEqualTo(ys[i - 1]); // up on screen is a smaller y
    }
    double[] min = ys(Charts.objective(TRIALS, false).bestSoFar());
    for (int i = 1; i < min.length; i++) {
      assertThat(min[i]).isGreaterThanOrEqualTo(min[i - 1]);
    }
  }

  @Test
  void parallel_coordinates_have_an_axis_per_parameter_then_the_objective() {
    Charts.Parallel p = Charts.parallel(TRIALS, List.of("lr", "opt"), "acc", true);
    assertThat(p.axes()).extracting(Charts.Axis::name).containsExactly("lr", "opt", "acc");
    assertThat(p.paths()).hasSize(3); // c reported nothing
    for (Charts.Path path : p.paths()) {
      assertThat(path.points().split(" ")).hasSize(3);
    }
    // the categorical axis lists its values
    assertThat(p.axes().get(1).ticks())
        .extracting(Charts.Tick::label)
        .containsExactly("adam", "sgd");
  }

  @Test
  void no_objective_yet_is_an_empty_chart() {
    List<Charts.Trial> none = List.of(new Charts.Trial("a", Map.of(), null));
    assertThat(Charts.objective(none, true).isEmpty()).isTrue();
    assertThat(Charts.parallel(none, List.of(), "acc", true).isEmpty()).isTrue();
  }

  @Test
  void numbers_read_well() {
    assertThat(Charts.num(1.0)).isEqualTo("1");
    assertThat(Charts.num(0.93)).isEqualTo("0.93");
    assertThat(Charts.num(0.0001234)).isEqualTo("0.000123");
  }

  static double[] ys(String points) {
    return Arrays.stream(points.split(" "))
        .mapToDouble(p -> Double.parseDouble(p.split(",")[1]))
        .toArray();
  }
}
