package dev.keel.katib;

import dev.keel.core.Problem;
import dev.keel.katib.Experiment.Parameter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Search algorithms, in Java, under Katib's names and settings: {@code random}, {@code grid},
 * {@code tpe}, {@code multivariate-tpe} (see {@link Tpe}) and {@code bayesianoptimization}. A
 * search never hands out an assignment it handed out before, so parallel trials never get
 * duplicates (Katib #1700, #1329); a grid that has handed out every point says so with an empty
 * answer, and the experiment ends instead of hanging (Katib #1494).
 */
public abstract class Search {
  /** The algorithm names Keel implements. */
  public static final List<String> ALGORITHMS =
      List.of(
          "random",
          "grid",
          "sobol",
          "tpe",
          "multivariate-tpe",
          "bayesianoptimization",
          "cmaes",
          "hyperband");

  /**
   * What a trial asked for and, once known, the objective value it reached; {@code failed} when it
   * ended without one (a trial with neither is still running).
   */
  public record Observed(Map<String, String> assignments, Double objective, boolean failed) {
    public Observed(Map<String, String> assignments, Double objective) {
      this(assignments, objective, false);
    }
  }

  final List<Parameter> space;
  final Random random;
  final boolean maximize;

  Search(List<Parameter> space, Map<String, String> settings, boolean maximize) {
    this.space = space;
    String seed = settings.get("random_state");
    this.random = seed == null ? new Random() : new Random(Long.parseLong(seed));
    this.maximize = maximize;
  }

  /** The settings an algorithm takes; any other is refused, as Katib's services refuse them. */
  public static Set<String> settings(String algorithm) {
    return switch (algorithm) {
      case "tpe" ->
          Set.of("random_state", "gamma", "prior_weight", "n_EI_candidates", "n_startup_trials");
      case "multivariate-tpe" -> Set.of("random_state", "n_ei_candidates", "n_startup_trials");
      case "sobol" -> Sobol.SETTINGS;
      case "cmaes" -> Cmaes.SETTINGS;
      case "hyperband" -> Hyperband.SETTINGS;
      case "bayesianoptimization" ->
          Set.of("random_state", "base_estimator", "n_initial_points", "acq_func", "acq_optimizer");
      default -> Set.of("random_state");
    };
  }

  /** Problems with the settings or the space for this algorithm, with their paths. */
  public static List<Problem> check(
      String algorithm, Map<String, String> settings, List<Parameter> space, int parallelTrials) {
    if (algorithm.equals("cmaes")) {
      return Cmaes.check(settings, space);
    }
    if (algorithm.equals("hyperband")) {
      return Hyperband.check(settings, space, parallelTrials);
    }
    List<Problem> out = new ArrayList<>();
    settings.forEach(
        (k, v) -> {
          String path = "spec.algorithm.algorithmSettings." + k;
          switch (k) {
            case "base_estimator" -> {
              if (!v.equals("GP")) {
                out.add(
                    Problem.at(
                        path, "'%s': Keel's bayesianoptimization is a Gaussian process (GP)", v));
              }
              return;
            }
            case "acq_func" -> {
              if (!Set.of("gp_hedge", "EI", "LCB", "PI").contains(v)) {
                out.add(Problem.at(path, "'%s' is not gp_hedge, EI, LCB or PI", v));
              }
              return;
            }
            case "acq_optimizer" -> {
              if (!Set.of("auto", "sampling", "lbfgs").contains(v)) {
                out.add(Problem.at(path, "'%s' is not auto, sampling or lbfgs", v));
              }
              return;
            }
            default -> {}
          }
          try {
            double d = Double.parseDouble(v);
            boolean ok =
                switch (k) {
                  case "random_state", "n_startup_trials", "n_initial_points" ->
                      d >= 0 && d == Math.rint(d);
                  case "gamma" -> d > 0 && d < 1;
                  case "n_EI_candidates", "n_ei_candidates" -> d > 0 && d == Math.rint(d);
                  default -> d > 0;
                };
            if (!ok) {
              out.add(Problem.at(path, "'%s' is out of range", v));
            }
          } catch (NumberFormatException e) {
            out.add(Problem.at(path, "'%s' is not a number", v));
          }
        });
    if (algorithm.equals("grid")) {
      for (int i = 0; i < space.size(); i++) {
        Parameter p = space.get(i);
        if (p.type().equals("double") && p.step() == null) {
          out.add(
              Problem.at(
                  "spec.parameters[" + i + "].feasibleSpace.step",
                  "grid search needs a step for double parameters"));
        }
      }
    }
    return out;
  }

  public static Search of(
      String algorithm, Map<String, String> settings, List<Parameter> space, boolean maximize) {
    return switch (algorithm) {
      case "grid" -> new Grid(space, settings, maximize);
      case "tpe", "multivariate-tpe" -> new Tpe(space, settings, maximize);
      case "sobol" -> new Sobol(space, settings, maximize);
      case "cmaes" -> new Cmaes(space, settings, maximize);
      case "hyperband" -> new Hyperband(space, settings, maximize);
      case "bayesianoptimization" -> new GaussianProcess(space, settings, maximize);
      default -> new RandomSearch(space, settings, maximize);
    };
  }

  /**
   * Up to {@code n} new assignments, none equal to any in {@code history}; fewer, or none, when the
   * space has no more.
   */
  public abstract List<Map<String, String>> suggest(int n, List<Observed> history);

  /**
   * Whether this search will never suggest again, whatever trials still report: a grid or a
   * Hyperband schedule handed out in full. An empty answer from {@link #suggest} while this is
   * false means "wait for running trials".
   */
  public boolean finished(List<Observed> history) {
    return false;
  }

  // ------------------------------------------------------------------ sampling

  Map<String, String> sample() {
    Map<String, String> a = new LinkedHashMap<>();
    for (Parameter p : space) {
      a.put(p.name(), format(p, draw(p)));
    }
    return a;
  }

  double draw(Parameter p) {
    return switch (p.type()) {
      case "categorical", "discrete" -> random.nextInt(p.list().size());
      default -> {
        double lo = p.min();
        double hi = p.max();
        double x =
            switch (p.distribution()) {
              case "logUniform" ->
                  Math.exp(Math.log(lo) + random.nextDouble() * (Math.log(hi) - Math.log(lo)));
              case "normal" -> clamp((lo + hi) / 2 + random.nextGaussian() * (hi - lo) / 6, lo, hi);
              case "logNormal" ->
                  clamp(
                      Math.exp(
                          (Math.log(lo) + Math.log(hi)) / 2
                              + random.nextGaussian() * (Math.log(hi) - Math.log(lo)) / 6),
                      lo,
                      hi);
              default -> lo + random.nextDouble() * (hi - lo);
            };
        yield x;
      }
    };
  }

  static double clamp(double x, double lo, double hi) {
    return Math.max(lo, Math.min(hi, x));
  }

  /** A value as Katib's services write it: ints as {@code 7}, doubles as Python's {@code str}. */
  static String format(Parameter p, double x) {
    return switch (p.type()) {
      case "categorical", "discrete" -> p.list().get((int) x);
      case "int" -> {
        long step = p.step() == null ? 1 : Math.max(1, Math.round(p.step()));
        long v = Math.round((x - p.min()) / step) * step + Math.round(p.min());
        yield Long.toString(Math.max(Math.round(p.min()), Math.min(Math.round(p.max()), v)));
      }
      default -> {
        double v = x;
        if (p.step() != null) {
          v = clamp(p.min() + Math.round((x - p.min()) / p.step()) * p.step(), p.min(), p.max());
          v = new BigDecimal(Double.toString(v)).round(new java.math.MathContext(12)).doubleValue();
        }
        yield pyFloat(v);
      }
    };
  }

  /** Python's {@code str(float)}: {@code 0.05}, {@code 1e-05}, {@code 100.0}. */
  static String pyFloat(double v) {
    return JsonMetrics.pyRepr(v);
  }

  static Set<Map<String, String>> seen(List<Observed> history) {
    Set<Map<String, String>> s = new HashSet<>();
    history.forEach(o -> s.add(o.assignments()));
    return s;
  }

  /** Draws until new, a bounded number of times. */
  List<Map<String, String>> fresh(
      int n, List<Observed> history, java.util.function.Supplier<Map<String, String>> draw) {
    Set<Map<String, String>> seen = seen(history);
    List<Map<String, String>> out = new ArrayList<>();
    int tries = 0;
    while (out.size() < n && tries++ < 1000 * n) {
      Map<String, String> a = draw.get();
      if (seen.add(a)) {
        out.add(a);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ algorithms

  static final class RandomSearch extends Search {
    RandomSearch(List<Parameter> space, Map<String, String> settings, boolean maximize) {
      super(space, settings, maximize);
    }

    @Override
    public List<Map<String, String>> suggest(int n, List<Observed> history) {
      return fresh(n, history, this::sample);
    }
  }

  /** Every point of the grid, in order: int ranges by step, doubles by step, lists as given. */
  static final class Grid extends Search {
    Grid(List<Parameter> space, Map<String, String> settings, boolean maximize) {
      super(space, settings, maximize);
    }

    List<List<String>> axes() {
      List<List<String>> axes = new ArrayList<>();
      for (Parameter p : space) {
        List<String> values = new ArrayList<>();
        switch (p.type()) {
          case "categorical", "discrete" -> values.addAll(p.list());
          case "int" -> {
            long step = p.step() == null ? 1 : Math.max(1, Math.round(p.step()));
            for (long v = Math.round(p.min()); v <= Math.round(p.max()); v += step) {
              values.add(Long.toString(v));
            }
          }
          default -> {
            BigDecimal step = new BigDecimal(Double.toString(p.step()));
            BigDecimal max = new BigDecimal(Double.toString(p.max()));
            for (BigDecimal v = new BigDecimal(Double.toString(p.min()));
                v.compareTo(max) <= 0;
                v = v.add(step)) {
              values.add(pyFloat(v.doubleValue()));
            }
          }
        }
        axes.add(values);
      }
      return axes;
    }

    @Override
    public List<Map<String, String>> suggest(int n, List<Observed> history) {
      Set<Map<String, String>> seen = seen(history);
      List<List<String>> axes = axes();
      List<Map<String, String>> out = new ArrayList<>();
      int[] idx = new int[axes.size()];
      while (out.size() < n) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < axes.size(); i++) {
          a.put(space.get(i).name(), axes.get(i).get(idx[i]));
        }
        if (seen.add(a)) {
          out.add(a);
        }
        int i = axes.size() - 1;
        while (i >= 0 && ++idx[i] == axes.get(i).size()) {
          idx[i] = 0;
          i--;
        }
        if (i < 0) {
          break; // every point handed out
        }
      }
      return out;
    }
  }

  /**
   * Bayesian optimisation as scikit-optimize does it with {@code base_estimator: GP}: after {@code
   * n_initial_points} random trials, a Gaussian process (RBF kernel on the space scaled to the unit
   * cube, its length scale chosen by marginal likelihood) models the objective, and the next point
   * maximises the acquisition ({@code EI} for EI and gp_hedge, {@code PI}, {@code LCB}) over random
   * candidates and perturbations of the best so far. Several at once take turns with a "constant
   * liar": each chosen point counts as the best value seen until its trial reports.
   */
  static final class GaussianProcess extends Search {
    final int initial;
    final String acquisition;

    GaussianProcess(List<Parameter> space, Map<String, String> settings, boolean maximize) {
      super(space, settings, maximize);
      this.initial = Integer.parseInt(settings.getOrDefault("n_initial_points", "10"));
      this.acquisition = settings.getOrDefault("acq_func", "gp_hedge");
    }

    @Override
    public List<Map<String, String>> suggest(int n, List<Observed> history) {
      List<Observed> done = history.stream().filter(o -> o.objective() != null).toList();
      if (done.size() < initial) {
        return fresh(n, history, this::sample);
      }
      List<double[]> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (Observed o : done) {
        xs.add(encode(o.assignments()));
        ys.add(maximize ? -o.objective() : o.objective()); // always minimise
      }
      Set<Map<String, String>> seen = seen(history);
      List<Map<String, String>> out = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        double best = ys.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        Model m = Model.fit(xs, ys);
        if (m == null) {
          return fresh(n - out.size(), history, this::sample);
        }
        double[] bestX = xs.get(ys.indexOf(best));
        int count = 3000;
        double[][] cands = new double[count][];
        double[] scores = new double[count];
        Integer[] order = new Integer[count];
        for (int c = 0; c < count; c++) {
          double[] x = new double[space.size()];
          double scale = c % 3 == 0 ? 0.1 : 0.02; // two thirds near the best point, coarse and fine
          for (int d = 0; d < x.length; d++) {
            x[d] =
                c % 3 == 2
                    ? random.nextDouble()
                    : clamp(bestX[d] + random.nextGaussian() * scale, 0, 1);
          }
          cands[c] = snap(x);
          scores[c] = acquisition(m, cands[c], best);
          order[c] = c;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        Map<String, String> chosen = null;
        double[] chosenX = null;
        for (int c : order) {
          Map<String, String> a = decode(cands[c]);
          if (!seen.contains(a)) {
            chosen = a;
            chosenX = encode(a);
            break;
          }
        }
        if (chosen == null) {
          break; // nothing new left to try
        }
        seen.add(chosen);
        out.add(chosen);
        xs.add(chosenX);
        ys.add(best); // the constant liar
      }
      return out;
    }

    /**
     * A point of the unit cube moved to where the space has values: categorical and discrete
     * parameters to a choice, ints and stepped doubles to their steps (in their own scale).
     */
    private double[] snap(double[] x) {
      double[] out = x.clone();
      for (int i = 0; i < out.length; i++) {
        Parameter p = space.get(i);
        if (p.type().equals("categorical") || p.type().equals("discrete")) {
          int k = p.list().size() - 1;
          out[i] = k == 0 ? 0 : (double) Math.round(x[i] * k) / k;
        } else if ((p.type().equals("int") || p.step() != null)
            && !p.distribution().startsWith("log")
            && p.max() > p.min()) {
          double step = p.step() == null ? 1 : p.step();
          double v = p.min() + x[i] * (p.max() - p.min());
          v = clamp(p.min() + Math.round((v - p.min()) / step) * step, p.min(), p.max());
          out[i] = (v - p.min()) / (p.max() - p.min());
        }
      }
      return out;
    }

    private double acquisition(Model m, double[] x, double best) {
      double[] ms = m.predict(x);
      double mu = ms[0];
      double sigma = Math.max(ms[1], 1e-9);
      double z = (best - mu) / sigma;
      return switch (acquisition) {
        case "PI" -> phi(z);
        case "LCB" -> -(mu - 1.96 * sigma);
        default -> (best - mu) * phi(z) + sigma * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
      };
    }

    /** The normal distribution's CDF (Abramowitz and Stegun 7.1.26 through erf). */
    static double phi(double z) {
      double t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.sqrt(2));
      double erf =
          1
              - t
                  * (0.254829592
                      + t
                          * (-0.284496736
                              + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
                  * Math.exp(-z * z / 2);
      return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }

    private double[] encode(Map<String, String> a) {
      double[] x = new double[space.size()];
      for (int i = 0; i < x.length; i++) {
        Parameter p = space.get(i);
        String v = a.get(p.name());
        if (p.type().equals("categorical") || p.type().equals("discrete")) {
          x[i] = p.list().size() == 1 ? 0 : (double) p.list().indexOf(v) / (p.list().size() - 1);
          continue;
        }
        double lo = p.min();
        double hi = p.max();
        double val = Double.parseDouble(v);
        if (hi == lo) {
          x[i] = 0;
        } else if (p.distribution().startsWith("log")) {
          x[i] = (Math.log(val) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
        } else {
          x[i] = (val - lo) / (hi - lo);
        }
      }
      return x;
    }

    private Map<String, String> decode(double[] x) {
      Map<String, String> a = new LinkedHashMap<>();
      for (int i = 0; i < x.length; i++) {
        Parameter p = space.get(i);
        double v;
        if (p.type().equals("categorical") || p.type().equals("discrete")) {
          v = Math.min(p.list().size() - 1, Math.round(x[i] * (p.list().size() - 1)));
        } else if (p.distribution().startsWith("log")) {
          v = Math.exp(Math.log(p.min()) + x[i] * (Math.log(p.max()) - Math.log(p.min())));
        } else {
          v = p.min() + x[i] * (p.max() - p.min());
        }
        a.put(p.name(), format(p, v));
      }
      return a;
    }

    /** A Gaussian process fitted to standardised observations. */
    record Model(
        List<double[]> xs,
        double[] alpha,
        double[][] chol,
        double lengthScale,
        double mean,
        double std) {
      static Model fit(List<double[]> xs, List<Double> ys) {
        double mean = ys.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double var =
            ys.stream().mapToDouble(y -> (y - mean) * (y - mean)).sum() / Math.max(1, ys.size());
        double std = var > 0 ? Math.sqrt(var) : 1;
        double[] y = ys.stream().mapToDouble(v -> (v - mean) / std).toArray();
        Model best = null;
        double bestLik = Double.NEGATIVE_INFINITY;
        for (double l : new double[] {0.05, 0.1, 0.2, 0.35, 0.6, 1.0}) {
          double[][] chol = cholesky(kernelMatrix(xs, l));
          if (chol == null) {
            continue;
          }
          double[] alpha = solve(chol, y);
          double lik = 0;
          for (int i = 0; i < y.length; i++) {
            lik -= 0.5 * y[i] * alpha[i] + Math.log(chol[i][i]);
          }
          if (lik > bestLik) {
            bestLik = lik;
            best = new Model(xs, alpha, chol, l, mean, std);
          }
        }
        return best;
      }

      /** The predicted mean and standard deviation at {@code x}, in the observations' units. */
      double[] predict(double[] x) {
        int n = xs.size();
        double[] k = new double[n];
        for (int i = 0; i < n; i++) {
          k[i] = rbf(xs.get(i), x, lengthScale);
        }
        double mu = 0;
        for (int i = 0; i < n; i++) {
          mu += k[i] * alpha[i];
        }
        double[] v = forward(chol, k);
        double var = 1;
        for (double vi : v) {
          var -= vi * vi;
        }
        return new double[] {mu * std + mean, Math.sqrt(Math.max(var, 1e-12)) * std};
      }

      static double rbf(double[] a, double[] b, double l) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
          d += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.exp(-d / (2 * l * l));
      }

      static double[][] kernelMatrix(List<double[]> xs, double l) {
        int n = xs.size();
        double[][] k = new double[n][n];
        for (int i = 0; i < n; i++) {
          for (int j = 0; j <= i; j++) {
            k[i][j] = rbf(xs.get(i), xs.get(j), l) + (i == j ? 1e-6 : 0);
            k[j][i] = k[i][j];
          }
        }
        return k;
      }

      static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
          for (int j = 0; j <= i; j++) {
            double sum = a[i][j];
            for (int k = 0; k < j; k++) {
              sum -= l[i][k] * l[j][k];
            }
            if (i == j) {
              if (sum <= 0) {
                return null;
              }
              l[i][i] = Math.sqrt(sum);
            } else {
              l[i][j] = sum / l[j][j];
            }
          }
        }
        return l;
      }

      static double[] forward(double[][] l, double[] b) {
        double[] y = new double[b.length];
        for (int i = 0; i < b.length; i++) {
          double s = b[i];
          for (int k = 0; k < i; k++) {
            s -= l[i][k] * y[k];
          }
          y[i] = s / l[i][i];
        }
        return y;
      }

      static double[] solve(double[][] l, double[] b) {
        double[] y = forward(l, b);
        int n = y.length;
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
          double s = y[i];
          for (int k = i + 1; k < n; k++) {
            s -= l[k][i] * x[k];
          }
          x[i] = s / l[i][i];
        }
        return x;
      }
    }
  }
}
