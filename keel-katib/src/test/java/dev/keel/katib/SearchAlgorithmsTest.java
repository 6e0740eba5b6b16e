package dev.keel.katib;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.katib.Experiment.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SearchAlgorithmsTest {
  static final Parameter X = new Parameter("x", "double", -5.0, 5.0, null, List.of(), "uniform");
  static final Parameter Y = new Parameter("y", "double", 0.0, 8.0, null, List.of(), "uniform");
  static final Parameter N = new Parameter("n", "int", 1.0, 3.0, null, List.of(), "uniform");
  static final Parameter OPT =
      new Parameter("opt", "categorical", null, null, null, List.of("sgd", "adam"), "uniform");
  static final Parameter LR =
      new Parameter("lr", "double", 1e-4, 1e-1, null, List.of(), "logUniform");

  static List<Search.Observed> observed(List<Map<String, String>> as) {
    List<Search.Observed> out = new ArrayList<>();
    as.forEach(a -> out.add(new Search.Observed(a, null)));
    return out;
  }

  static double num(Map<String, String> a, String name) {
    return Double.parseDouble(a.get(name));
  }

  // ------------------------------------------------------------------ sobol

  @Test
  void sobol_unscrambled_is_the_textbook_sequence() {
    int[] x = Sobol.directions(0);
    int[] y = Sobol.directions(1);
    double[][] expected = {{0, 0}, {0.5, 0.5}, {0.75, 0.25}, {0.25, 0.75}, {0.375, 0.375}};
    for (int i = 0; i < expected.length; i++) {
      assertThat((Sobol.bits(x, i) & 0xffffffffL) / 4294967296.0).isEqualTo(expected[i][0]);
      assertThat((Sobol.bits(y, i) & 0xffffffffL) / 4294967296.0).isEqualTo(expected[i][1]);
    }
  }

  @Test
  void sobol_points_are_distinct_and_cover_every_quarter_of_every_axis() {
    for (Map<String, String> settings :
        List.of(Map.<String, String>of(), Map.of("random_state", "3"))) {
      Sobol s = new Sobol(List.of(X, Y), settings, false);
      List<Map<String, String>> points = new ArrayList<>();
      while (points.size() < 64) {
        points.addAll(s.suggest(5, observed(points))); // batches of 5, continued from the history
      }
      points = points.subList(0, 64);
      assertThat(points).doesNotHaveDuplicates();
      int[] xq = new int[4];
      int[] yq = new int[4];
      int[][] cells = new int[8][8];
      for (Map<String, String> a : points) {
        double u = (num(a, "x") + 5) / 10;
        double v = num(a, "y") / 8;
        xq[(int) (u * 4)]++;
        yq[(int) (v * 4)]++;
        cells[(int) (u * 8)][(int) (v * 8)]++;
      }
      assertThat(xq).as("x quarters, %s", settings).containsExactly(16, 16, 16, 16);
      assertThat(yq).as("y quarters, %s", settings).containsExactly(16, 16, 16, 16);
      for (int[] row : cells) {
        assertThat(row).as("each of the 8x8 cells holds one point").containsOnly(1);
      }
    }
  }

  @Test
  void sobol_with_a_seed_is_reproducible_and_the_seed_matters() {
    List<Parameter> space = List.of(X, Y, N, OPT, LR);
    List<Map<String, String>> a =
        new Sobol(space, Map.of("random_state", "11"), false).suggest(20, List.of());
    List<Map<String, String>> b =
        new Sobol(space, Map.of("random_state", "11"), false).suggest(20, List.of());
    List<Map<String, String>> c =
        new Sobol(space, Map.of("random_state", "12"), false).suggest(20, List.of());
    assertThat(a).hasSize(20).isEqualTo(b).isNotEqualTo(c).doesNotHaveDuplicates();
    for (Map<String, String> p : a) {
      assertThat(num(p, "lr")).isBetween(1e-4, 1e-1);
      assertThat(p.get("n")).isIn("1", "2", "3");
      assertThat(p.get("opt")).isIn("sgd", "adam");
    }
    // a restarted experiment carries on the sequence: the same points as one long run
    List<Map<String, String>> first = a.subList(0, 8);
    List<Map<String, String>> rest =
        new Sobol(space, Map.of("random_state", "11"), false).suggest(12, observed(first));
    assertThat(rest).isEqualTo(a.subList(8, 20));
  }

  @Test
  void sobol_on_a_small_space_hands_out_every_point_once_then_no_more() {
    Sobol s = new Sobol(List.of(N, OPT), Map.of(), false); // 6 points in all
    List<Map<String, String>> all = new ArrayList<>();
    List<Map<String, String>> batch;
    while (!(batch = s.suggest(4, observed(all))).isEmpty()) {
      all.addAll(batch);
    }
    assertThat(all).hasSize(6).doesNotHaveDuplicates();
  }

  @Test
  void sobol_covers_a_log_scale_evenly_in_its_logarithm() {
    Sobol s = new Sobol(List.of(LR, X), Map.of("random_state", "1"), false);
    int[] decades = new int[3];
    for (Map<String, String> a : s.suggest(48, List.of())) {
      decades[(int) Math.floor(Math.log10(num(a, "lr")) + 4)]++;
    }
    assertThat(decades).containsExactly(16, 16, 16);
  }

  @Test
  void sobol_has_direction_numbers_for_many_parameters() {
    List<Parameter> space = new ArrayList<>();
    for (int i = 0; i < Sobol.MAX_DIMENSIONS; i++) {
      space.add(new Parameter("p" + i, "double", 0.0, 1.0, null, List.of(), "uniform"));
    }
    Sobol s = new Sobol(space, Map.of(), false);
    for (int d = 0; d < space.size(); d++) {
      int[] quarters = new int[4];
      for (long i = 0; i < 64; i++) {
        quarters[(int) (s.point(i)[d] * 4)]++;
      }
      assertThat(quarters).as("dimension %d", d + 1).containsExactly(16, 16, 16, 16);
    }
  }
}
