package dev.keel.katib;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.katib.Experiment.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  // ------------------------------------------------------------------ hyperband

  static final Parameter EPOCHS =
      new Parameter("epochs", "int", 1.0, 9.0, null, List.of(), "uniform");
  static final Map<String, String> HB =
      Map.of("resource_name", "epochs", "r_l", "9", "random_state", "1");

  /** Lower is better: distance of x from 1.3, shrinking with more epochs. */
  static double loss(Map<String, String> a) {
    return Math.abs(num(a, "x") - 1.3) + 1.0 / num(a, "epochs");
  }

  static Map<String, String> without(Map<String, String> a, String key) {
    Map<String, String> b = new java.util.HashMap<>(a);
    b.remove(key);
    return b;
  }

  @Test
  void hyperband_schedules_katibs_brackets() {
    List<Hyperband.Rung> rungs = Hyperband.schedule(9, 3);
    assertThat(rungs)
        .containsExactly(
            new Hyperband.Rung(2, 0, 9, 1),
            new Hyperband.Rung(2, 1, 3, 3),
            new Hyperband.Rung(2, 2, 1, 9),
            new Hyperband.Rung(1, 0, 5, 3),
            new Hyperband.Rung(1, 1, 1, 9),
            new Hyperband.Rung(0, 0, 3, 9));
    assertThat(Hyperband.sMax(1000, 10)).isEqualTo(3);
    assertThat(Hyperband.schedule(81, 3))
        .extracting(Hyperband.Rung::size)
        .startsWith(81, 27, 9, 3, 1, 34, 11, 3, 1, 15, 5, 1, 8, 2, 5);
    assertThat(new Hyperband(List.of(X, EPOCHS), HB, false).totalTrials()).isEqualTo(22);
  }

  @Test
  void hyperband_runs_every_rung_and_promotes_the_best_then_finishes() {
    Hyperband hb = new Hyperband(List.of(X, OPT, EPOCHS), HB, false);
    List<Search.Observed> history = new ArrayList<>();
    List<List<Map<String, String>>> batches = new ArrayList<>();
    while (!hb.finished(history)) {
      List<Map<String, String>> batch = hb.suggest(9, history);
      assertThat(batch)
          .as("only a finished search answers nothing with nothing running")
          .isNotEmpty();
      batches.add(batch);
      int start = history.size();
      batch.forEach(a -> history.add(new Search.Observed(a, null)));
      if (batches.size() < 6 && hb.rungs().get(batches.size()).index() > 0) {
        // a promotion waits on the rung it promotes from; a bracket's first rung does not
        assertThat(hb.suggest(9, history)).isEmpty();
      }
      for (int i = start; i < history.size(); i++) { // the batch runs to its end
        Map<String, String> a = history.get(i).assignments();
        history.set(i, new Search.Observed(a, loss(a)));
      }
    }
    assertThat(hb.suggest(9, history)).isEmpty();
    assertThat(history)
        .hasSize(22)
        .extracting(Search.Observed::assignments)
        .doesNotHaveDuplicates();
    assertThat(batches).extracting(List::size).containsExactly(9, 3, 1, 5, 1, 3);
    assertThat(batches)
        .extracting(b -> b.stream().map(a -> a.get("epochs")).distinct().toList())
        .containsExactly(
            List.of("1"), List.of("3"), List.of("9"), List.of("3"), List.of("9"), List.of("9"));
    // each promotion is the best of the rung before, best first, with nothing else changed
    for (int[] pair : new int[][] {{0, 1}, {1, 2}, {3, 4}}) {
      List<Map<String, String>> from = batches.get(pair[0]);
      List<Map<String, String>> best =
          from.stream()
              .sorted(java.util.Comparator.comparingDouble(SearchAlgorithmsTest::loss))
              .limit(batches.get(pair[1]).size())
              .map(a -> without(a, "epochs"))
              .toList();
      assertThat(batches.get(pair[1])).extracting(a -> without(a, "epochs")).isEqualTo(best);
    }
  }

  @Test
  void hyperband_waits_for_a_rung_and_takes_a_failed_trial_as_the_worst() {
    Hyperband hb = new Hyperband(List.of(X, EPOCHS), HB, true); // maximise -loss
    List<Search.Observed> history = new ArrayList<>();
    hb.suggest(4, history).forEach(a -> history.add(new Search.Observed(a, -loss(a))));
    List<Map<String, String>> rest = hb.suggest(9, history);
    assertThat(rest).as("the rest of the first rung").hasSize(5);
    rest.forEach(a -> history.add(new Search.Observed(a, null)));
    assertThat(hb.suggest(9, history)).as("5 still running").isEmpty();
    assertThat(hb.finished(history)).isFalse();
    // four end and one fails: the best three of the eight that ended go on, never the failed one
    Map<String, String> failedOne = null;
    for (int i = 4; i < 9; i++) {
      Map<String, String> a = history.get(i).assignments();
      if (i == 6) {
        failedOne = a;
      } else {
        history.set(i, new Search.Observed(a, -loss(a)));
      }
    }
    assertThat(hb.suggest(9, history)).as("without knowing of the failure it waits").isEmpty();
    List<Map<String, String>> promoted = hb.suggest(9, history, Set.of(failedOne));
    assertThat(promoted).hasSize(3).extracting(a -> a.get("epochs")).containsOnly("3");
    assertThat(promoted).extracting(a -> a.get("x")).doesNotContain(failedOne.get("x"));
    double worstPromoted =
        promoted.stream().mapToDouble(a -> Math.abs(num(a, "x") - 1.3)).max().orElseThrow();
    long better =
        history.stream()
            .filter(o -> o.objective() != null)
            .filter(o -> Math.abs(num(o.assignments(), "x") - 1.3) <= worstPromoted)
            .count();
    assertThat(better).isEqualTo(3);
    // a restarted controller (a new search) makes the same promotions from the same history
    Hyperband again = new Hyperband(List.of(X, EPOCHS), HB, true);
    assertThat(again.suggest(2, history, Set.of(failedOne))).isEqualTo(promoted.subList(0, 2));
    promoted.subList(0, 2).forEach(a -> history.add(new Search.Observed(a, null)));
    assertThat(again.suggest(9, history, Set.of(failedOne))).isEqualTo(promoted.subList(2, 3));
  }

  @Test
  void hyperband_starts_the_next_bracket_while_the_last_rung_runs() {
    Hyperband hb = new Hyperband(List.of(X, EPOCHS), HB, false);
    List<Search.Observed> history = new ArrayList<>();
    for (int rung = 0; rung < 3; rung++) {
      boolean last = rung == 2;
      List<Map<String, String>> batch = hb.suggest(9, history);
      batch.forEach(a -> history.add(new Search.Observed(a, last ? null : loss(a))));
    }
    assertThat(history).hasSize(13);
    assertThat(hb.suggest(9, history))
        .hasSize(5)
        .extracting(a -> a.get("epochs"))
        .containsOnly("3");
  }

  @Test
  void hyperband_checks_its_settings_as_katib_does() {
    List<Parameter> space = List.of(X, OPT, EPOCHS);
    assertThat(Hyperband.check(Map.of("resource_name", "epochs", "r_l", "9"), space, 9)).isEmpty();
    assertThat(Hyperband.check(Map.of("resource_name", "epochs", "r_l", "9"), space, 8))
        .extracting(dev.keel.core.Problem::path)
        .containsExactly("spec.parallelTrialCount");
    assertThat(Hyperband.check(Map.of(), space, 9))
        .extracting(dev.keel.core.Problem::path)
        .containsExactlyInAnyOrder(
            "spec.algorithm.algorithmSettings.resource_name",
            "spec.algorithm.algorithmSettings.r_l");
    assertThat(Hyperband.check(Map.of("resource_name", "steps", "r_l", "0", "eta", "1"), space, 9))
        .extracting(dev.keel.core.Problem::path)
        .containsExactlyInAnyOrder(
            "spec.algorithm.algorithmSettings.resource_name",
            "spec.algorithm.algorithmSettings.r_l",
            "spec.algorithm.algorithmSettings.eta");
    assertThat(Hyperband.check(Map.of("resource_name", "opt", "r_l", "x"), space, 9))
        .extracting(dev.keel.core.Problem::path)
        .containsExactlyInAnyOrder(
            "spec.algorithm.algorithmSettings.resource_name",
            "spec.algorithm.algorithmSettings.r_l");
    // Katib's example: num-epochs declared from 1 to 1, r_l 2, eta 2, parallelTrialCount 2
    Parameter numEpochs = new Parameter("num-epochs", "int", 1.0, 1.0, null, List.of(), "uniform");
    Map<String, String> example = Map.of("resource_name", "num-epochs", "eta", "2", "r_l", "2");
    assertThat(Hyperband.check(example, List.of(X, numEpochs), 2)).isEmpty();
    Hyperband hb = new Hyperband(List.of(X, numEpochs), example, false);
    assertThat(hb.rungs()).extracting(Hyperband.Rung::size).containsExactly(2, 1, 2);
    List<Search.Observed> history = new ArrayList<>();
    hb.suggest(2, history)
        .forEach(
            a -> history.add(new Search.Observed(a, loss(Map.of("x", a.get("x"), "epochs", "1")))));
    assertThat(hb.suggest(2, history))
        .singleElement()
        .extracting(a -> a.get("num-epochs"))
        .isEqualTo("2");
  }

  @Test
  void hyperband_writes_a_double_resource_as_a_float() {
    Parameter fraction = new Parameter("fraction", "double", 0.1, 1.0, null, List.of(), "uniform");
    Hyperband hb =
        new Hyperband(
            List.of(X, fraction),
            Map.of("resource_name", "fraction", "r_l", "1", "eta", "2"),
            false);
    assertThat(hb.rungs()).hasSize(1);
    assertThat(hb.suggest(5, List.of()))
        .singleElement()
        .extracting(a -> a.get("fraction"))
        .isEqualTo("1.0");
    Hyperband epochs =
        new Hyperband(
            List.of(X, fraction),
            Map.of("resource_name", "fraction", "r_l", "4", "eta", "2"),
            false);
    assertThat(epochs.suggest(9, List.of())).extracting(a -> a.get("fraction")).containsOnly("1.0");
    assertThat(epochs.rungs())
        .extracting(Hyperband.Rung::resource)
        .containsExactly(1.0, 2.0, 4.0, 2.0, 4.0, 4.0);
  }
}
