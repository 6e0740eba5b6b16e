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

  // ------------------------------------------------------------------ cmaes

  static final Parameter A = new Parameter("a", "double", -2.0, 2.0, null, List.of(), "uniform");
  static final Parameter B = new Parameter("b", "double", -2.0, 2.0, null, List.of(), "uniform");

  static double sphere(Map<String, String> a) {
    double x = num(a, "x") - 1.3;
    double y = num(a, "y") - 5.1;
    return x * x + y * y;
  }

  static double rosenbrock(Map<String, String> a) {
    double x = num(a, "a");
    double y = num(a, "b");
    return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
  }

  /** Runs a search for {@code budget} trials, {@code batch} at a time; returns the history. */
  static List<Search.Observed> run(
      Search s, int budget, int batch, java.util.function.ToDoubleFunction<Map<String, String>> f) {
    List<Search.Observed> history = new ArrayList<>();
    while (history.size() < budget) {
      List<Map<String, String>> next = s.suggest(Math.min(batch, budget - history.size()), history);
      assertThat(next).isNotEmpty();
      next.forEach(a -> history.add(new Search.Observed(a, f.applyAsDouble(a))));
    }
    return history;
  }

  static double best(List<Search.Observed> history) {
    return history.stream().mapToDouble(Search.Observed::objective).min().orElseThrow();
  }

  @Test
  void cmaes_finds_the_minimum_of_a_sphere_and_of_rosenbrocks_valley() {
    double cmaes = 0;
    double random = 0;
    for (long seed = 1; seed <= 10; seed++) {
      Map<String, String> settings = Map.of("random_state", Long.toString(seed));
      Search sphere = new Cmaes(List.of(X, Y), settings, false);
      assertThat(best(run(sphere, 200, 1, SearchAlgorithmsTest::sphere)))
          .as("sphere, seed %d", seed)
          .isLessThan(1e-4);
      Search rosen = new Cmaes(List.of(A, B), settings, false);
      List<Search.Observed> history = run(rosen, 400, 3, SearchAlgorithmsTest::rosenbrock);
      assertThat(best(history)).as("rosenbrock, seed %d", seed).isLessThan(0.05);
      cmaes += best(history.subList(0, 200));
      random +=
          best(
              run(
                  Search.of("random", settings, List.of(A, B), false),
                  200,
                  1,
                  SearchAlgorithmsTest::rosenbrock));
    }
    assertThat(cmaes / 10).as("mean best on rosenbrock after 200").isLessThan(0.2);
    assertThat(cmaes).isLessThan(random);
  }

  @Test
  void cmaes_maximises_too_and_draws_categories_at_random() {
    Search s = new Cmaes(List.of(X, OPT, Y), Map.of("random_state", "4"), true);
    List<Search.Observed> history = run(s, 200, 6, a -> -sphere(a));
    assertThat(history.stream().mapToDouble(Search.Observed::objective).max().orElseThrow())
        .isGreaterThan(-1e-3);
    assertThat(history).extracting(o -> o.assignments().get("opt")).contains("sgd", "adam");
    assertThat(history.get(0).assignments()).containsOnlyKeys("x", "opt", "y");
  }

  @Test
  void cmaes_with_a_seed_is_reproducible_and_a_restarted_search_carries_on_the_same() {
    Map<String, String> settings = Map.of("random_state", "9");
    List<Search.Observed> one =
        run(new Cmaes(List.of(X, Y), settings, false), 60, 4, SearchAlgorithmsTest::sphere);
    List<Search.Observed> two =
        run(new Cmaes(List.of(X, Y), settings, false), 60, 4, SearchAlgorithmsTest::sphere);
    assertThat(two).isEqualTo(one);
    assertThat(one).extracting(Search.Observed::assignments).doesNotHaveDuplicates();
    // a controller restarted after 30 trials, with 2 of them still running, replays the history
    Search continuous = new Cmaes(List.of(X, Y), settings, false);
    List<Search.Observed> history =
        new ArrayList<>(run(continuous, 30, 4, SearchAlgorithmsTest::sphere));
    history.set(28, new Search.Observed(history.get(28).assignments(), null));
    history.set(29, new Search.Observed(history.get(29).assignments(), null));
    Search restarted = new Cmaes(List.of(X, Y), settings, false);
    assertThat(restarted.suggest(5, history)).isEqualTo(continuous.suggest(5, history));
    assertThat(new Cmaes(List.of(X, Y), Map.of("random_state", "10"), false).suggest(5, history))
        .isNotEqualTo(continuous.suggest(5, history));
  }

  @Test
  void cmaes_tells_whole_generations_of_finished_trials_only() {
    Cmaes s = new Cmaes(List.of(X, Y), Map.of("random_state", "2"), false);
    List<Search.Observed> history =
        run(s, 6, 6, SearchAlgorithmsTest::sphere); // lambda = 4 + 3 ln 2 = 6
    assertThat(s.replay(history).lambda).isEqualTo(6);
    assertThat(s.replay(history).generation).isEqualTo(1);
    assertThat(s.replay(history.subList(0, 5)).generation).isZero();
    List<Search.Observed> withFailure = new ArrayList<>(history);
    withFailure.set(2, new Search.Observed(history.get(2).assignments(), null));
    assertThat(s.replay(withFailure).generation).as("one failed: 5 of 6 told").isZero();
    List<Map<String, String>> more = s.suggest(3, withFailure); // more members of generation 1
    more.forEach(a -> withFailure.add(new Search.Observed(a, sphere(a))));
    assertThat(s.replay(withFailure).generation).isEqualTo(1);
    assertThat(s.replay(withFailure).mean).isNotEqualTo(new double[] {0.5, 0.5});
  }

  @Test
  void cmaes_restarts_a_stagnant_run_with_twice_the_population_under_ipop() {
    List<Parameter> space = List.of(X, Y);
    for (String strategy : List.of("none", "ipop", "bipop")) {
      Cmaes s = new Cmaes(space, Map.of("random_state", "5", "restart_strategy", strategy), false);
      List<Search.Observed> flat =
          run(s, 130, 6, a -> 1.0); // stagnant after 10 + 30*2/6 = 20 generations
      Cmaes.Run r = s.replay(flat);
      switch (strategy) {
        case "none" -> assertThat(r.restart).isZero();
        case "ipop" -> {
          assertThat(r.restart).isEqualTo(1);
          assertThat(r.lambda).isEqualTo(12);
          assertThat(r.sigmaStart).isEqualTo(Cmaes.DEFAULT_SIGMA);
        }
        default -> {
          assertThat(r.restart).isEqualTo(1); // the first restart is small: its budget is behind
          assertThat(r.lambda).isBetween(6, 12);
          assertThat(r.sigmaStart).isLessThanOrEqualTo(Cmaes.DEFAULT_SIGMA);
        }
      }
    }
    // ipop on Rastrigin keeps restarting with growing populations and ends near the optimum
    Cmaes ipop =
        new Cmaes(
            space, Map.of("random_state", "1", "restart_strategy", "ipop", "sigma", "0.3"), false);
    List<Search.Observed> history = run(ipop, 1500, 8, SearchAlgorithmsTest::rastrigin);
    assertThat(ipop.replay(history).restart).isPositive();
    assertThat(best(history)).isLessThan(1.0);
  }

  static double rastrigin(Map<String, String> a) {
    double x = num(a, "x") - 1;
    double y = num(a, "y") - 3;
    return 20 + x * x - 10 * Math.cos(2 * Math.PI * x) + y * y - 10 * Math.cos(2 * Math.PI * y);
  }

  @Test
  void cmaes_needs_two_numeric_parameters_and_known_settings() {
    assertThat(Cmaes.check(List.of(X, OPT)))
        .extracting(dev.keel.core.Problem::path)
        .containsExactly("spec.parameters");
    assertThat(Cmaes.check(List.of(X, N, OPT))).isEmpty();
    assertThat(Cmaes.check(Map.of("restart_strategy", "lipop", "sigma", "-1"), List.of(X, Y)))
        .extracting(dev.keel.core.Problem::path)
        .containsExactlyInAnyOrder(
            "spec.algorithm.algorithmSettings.restart_strategy",
            "spec.algorithm.algorithmSettings.sigma");
    assertThat(Cmaes.check(Map.of("restart_strategy", "IPOP", "sigma", "0.2"), List.of(X, Y)))
        .isEmpty();
  }

  @Test
  void cmaes_on_ints_converges_then_stops_repeating_itself() {
    Parameter i = new Parameter("i", "int", 0.0, 20.0, null, List.of(), "uniform");
    Parameter j = new Parameter("j", "int", 0.0, 20.0, null, List.of(), "uniform");
    Cmaes s =
        new Cmaes(List.of(i, j), Map.of("random_state", "3", "restart_strategy", "ipop"), false);
    List<Search.Observed> history = new ArrayList<>();
    for (int k = 0; k < 200; k++) {
      List<Map<String, String>> next = s.suggest(2, history);
      next.forEach(
          a -> {
            double x = num(a, "i") - 7;
            double y = num(a, "j") - 13;
            history.add(new Search.Observed(a, x * x + y * y));
          });
    }
    assertThat(history).extracting(Search.Observed::assignments).doesNotHaveDuplicates();
    assertThat(history)
        .extracting(Search.Observed::assignments)
        .contains(Map.of("i", "7", "j", "13"));
  }

  @Test
  void jacobi_diagonalises_a_symmetric_matrix() {
    double[][] a = {{4, 1, 2}, {1, 3, 0.5}, {2, 0.5, 5}};
    double[][] m = {a[0].clone(), a[1].clone(), a[2].clone()};
    double[][] v = Cmaes.identity(3);
    Cmaes.jacobi(m, v);
    for (int k = 0; k < 3; k++) {
      for (int i = 0; i < 3; i++) {
        double av = 0;
        for (int j = 0; j < 3; j++) {
          av += a[i][j] * v[j][k];
        }
        assertThat(av).isCloseTo(m[k][k] * v[i][k], org.assertj.core.api.Assertions.within(1e-9));
      }
    }
  }
}
