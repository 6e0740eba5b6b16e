package dev.keel.katib;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.katib.Experiment.Parameter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SearchTest {
  static final Parameter X = new Parameter("x", "double", -5.0, 5.0, null, List.of(), "uniform");
  static final Parameter N = new Parameter("n", "int", 1.0, 3.0, null, List.of(), "uniform");
  static final Parameter OPT =
      new Parameter("opt", "categorical", null, null, null, List.of("sgd", "adam"), "uniform");

  @Test
  void grid_enumerates_every_point_once_then_says_it_is_done() {
    Parameter lr = new Parameter("lr", "double", 0.01, 0.03, 0.01, List.of(), "uniform");
    Search grid = Search.of("grid", Map.of(), List.of(lr, N, OPT), false);
    List<Search.Observed> history = new ArrayList<>();
    List<Map<String, String>> all = new ArrayList<>();
    List<Map<String, String>> batch;
    while (!(batch = grid.suggest(4, history)).isEmpty()) {
      all.addAll(batch);
      batch.forEach(a -> history.add(new Search.Observed(a, 1.0)));
    }
    assertThat(all).hasSize(3 * 3 * 2).doesNotHaveDuplicates();
    assertThat(all.get(0)).isEqualTo(Map.of("lr", "0.01", "n", "1", "opt", "sgd"));
    assertThat(all).extracting(a -> a.get("lr")).containsOnly("0.01", "0.02", "0.03");
  }

  @Test
  void the_same_seed_gives_the_same_suggestions_and_parallel_ones_never_repeat() {
    List<Map<String, String>> a =
        Search.of("random", Map.of("random_state", "7"), List.of(X, N, OPT), false)
            .suggest(20, List.of());
    List<Map<String, String>> b =
        Search.of("random", Map.of("random_state", "7"), List.of(X, N, OPT), false)
            .suggest(20, List.of());
    assertThat(a).isEqualTo(b).doesNotHaveDuplicates();
    Search small = Search.of("random", Map.of(), List.of(N, OPT), false); // 6 points in all
    List<Map<String, String>> all = small.suggest(10, List.of());
    assertThat(all).hasSize(6);
    assertThat(new HashSet<>(all)).hasSize(6);
  }

  static double quadratic(Map<String, String> a) {
    double x = Double.parseDouble(a.get("x"));
    return (x - 1.3) * (x - 1.3);
  }

  static double bestAfter(String algorithm, long seed, int budget) {
    Search s = Search.of(algorithm, Map.of("random_state", Long.toString(seed)), List.of(X), false);
    List<Search.Observed> history = new ArrayList<>();
    double best = Double.MAX_VALUE;
    while (history.size() < budget) {
      for (Map<String, String> a : s.suggest(1, history)) {
        double v = quadratic(a);
        best = Math.min(best, v);
        history.add(new Search.Observed(a, v));
      }
    }
    return best;
  }

  @Test
  void tpe_closes_in_on_a_quadratics_minimum_better_than_random() {
    double tpe = 0;
    double random = 0;
    for (long seed = 1; seed <= 10; seed++) {
      tpe += bestAfter("tpe", seed, 40);
      random += bestAfter("random", seed, 40);
    }
    assertThat(tpe / 10).isLessThan(0.01);
    assertThat(tpe).isLessThan(random);
  }

  @Test
  void multivariate_tpe_closes_in_on_a_quadratics_minimum_better_than_random() {
    double tpe = 0;
    double random = 0;
    for (long seed = 1; seed <= 10; seed++) {
      tpe += bestAfter("multivariate-tpe", seed, 40);
      random += bestAfter("random", seed, 40);
    }
    assertThat(tpe / 10).isLessThan(0.01);
    assertThat(tpe).isLessThan(random);
  }

  @Test
  void tpe_spreads_parallel_suggestions_over_running_trials() {
    Search s = Search.of("tpe", Map.of("random_state", "3"), List.of(X), false);
    List<Search.Observed> history = new ArrayList<>();
    for (Map<String, String> a : s.suggest(10, history)) {
      history.add(new Search.Observed(a, quadratic(a)));
    }
    List<Map<String, String>> batch = s.suggest(8, history);
    assertThat(batch).hasSize(8).doesNotHaveDuplicates();
    history.forEach(h -> assertThat(batch).doesNotContain(h.assignments()));
  }

  @Test
  void values_are_written_as_katib_writes_them() {
    assertThat(Search.pyFloat(0.05)).isEqualTo("0.05");
    assertThat(Search.pyFloat(1e-05)).isEqualTo("1e-05");
    assertThat(Search.pyFloat(100.0)).isEqualTo("100.0");
    assertThat(Search.format(N, 2.4)).isEqualTo("2");
  }

  static double branin(Map<String, String> a) {
    double x = Double.parseDouble(a.get("x1"));
    double y = Double.parseDouble(a.get("x2"));
    double b = 5.1 / (4 * Math.PI * Math.PI);
    double c = 5 / Math.PI;
    double t = 1 / (8 * Math.PI);
    return Math.pow(y - b * x * x + c * x - 6, 2) + 10 * (1 - t) * Math.cos(x) + 10;
  }

  @Test
  void bayesian_optimisation_finds_branins_minimum_faster_than_random() {
    Parameter x1 = new Parameter("x1", "double", -5.0, 10.0, null, List.of(), "uniform");
    Parameter x2 = new Parameter("x2", "double", 0.0, 15.0, null, List.of(), "uniform");
    double gp = 0;
    double random = 0;
    for (long seed = 1; seed <= 3; seed++) {
      for (String algo : new String[] {"bayesianoptimization", "random"}) {
        Search s =
            Search.of(algo, Map.of("random_state", Long.toString(seed)), List.of(x1, x2), false);
        List<Search.Observed> history = new ArrayList<>();
        double best = Double.MAX_VALUE;
        while (history.size() < 30) {
          for (Map<String, String> a : s.suggest(2, history)) {
            double v = branin(a);
            best = Math.min(best, v);
            history.add(new Search.Observed(a, v));
          }
        }
        if (algo.equals("random")) {
          random += best - 0.397887;
        } else {
          gp += best - 0.397887;
        }
      }
    }
    assertThat(gp / 3).as("mean regret after 30 trials").isLessThan(1.0);
    assertThat(gp).isLessThan(random);
  }

  @Test
  void a_gaussian_process_only_takes_the_gp_estimator() {
    assertThat(Search.check("bayesianoptimization", Map.of("base_estimator", "RF"), List.of(X), 1))
        .extracting(dev.keel.core.Problem::path)
        .containsExactly("spec.algorithm.algorithmSettings.base_estimator");
    assertThat(
            Search.check(
                "bayesianoptimization",
                Map.of("base_estimator", "GP", "acq_func", "EI", "n_initial_points", "5"),
                List.of(X),
                1))
        .isEmpty();
  }
}
