package dev.keel.katib;

import dev.keel.core.Problem;
import dev.keel.katib.Experiment.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * CMA-ES under Katib's name {@code cmaes} (goptuna's and Optuna's sampler): Hansen's (mu/mu_w,
 * lambda) evolution strategy with cumulative step-size adaptation and rank-one plus rank-mu
 * covariance updates, as in his tutorial ("The CMA Evolution Strategy", 2016). It searches the int
 * and double parameters scaled to the unit cube (on a log scale for {@code logUniform} and {@code
 * logNormal}); samples outside the cube are drawn again, up to 100 times, then clipped. Categorical
 * and discrete parameters are drawn at random, as goptuna's independent sampler does.
 *
 * <p>Settings: {@code random_state} (a seed; unset, each search draws its own), {@code sigma} (the
 * initial step size in unit-cube units, default 1/6 as Optuna's {@code sigma0 = range / 6}, so that
 * the cube spans six standard deviations) and {@code restart_strategy}: {@code none} (default),
 * {@code ipop} (when a run stagnates, restart from a random mean with twice the population) or
 * {@code bipop} (alternate such large-population runs with small-population, small-step ones,
 * giving both the same budget, Hansen 2009: at restart r a small run has floor(lambda0 * 2^(r u^2))
 * members and starts at sigma * 10^(-2 u'), u and u' uniform in [0, 1]). A run stagnates when its
 * best values over the last {@code 10 + ceil(30 n / lambda)} generations lie within 1e-12 of each
 * other, when its steps fall below the parameters' resolution (a tenth of an int step), or when its
 * covariance degenerates (condition number above 1e14).
 *
 * <p>The search keeps no state between calls: each call replays the history in order, taking {@code
 * lambda} consecutive trials with an objective as one generation and updating the distribution
 * after each, then samples the next points with a random generator seeded by {@code random_state}
 * and the history's length. A restarted controller therefore suggests exactly what a running one
 * would. Trials without an objective (running or failed) are not told; the trials of an incomplete
 * generation are followed by more members of the same generation. On int-only spaces a converged
 * run without restarts may find no new point, and suggests fewer or none.
 */
final class Cmaes extends Search {
  /** The settings CMA-ES takes. */
  static final Set<String> SETTINGS = Set.of("random_state", "sigma", "restart_strategy");

  /** The initial step size in unit-cube units when {@code sigma} is unset. */
  static final double DEFAULT_SIGMA = 1.0 / 6;

  private static final int MAX_DOUBLINGS = 10;

  private final List<Parameter> numeric;
  private final double sigma0;
  private final String restart;
  private final long seed;

  Cmaes(List<Parameter> space, Map<String, String> settings, boolean maximize) {
    super(space, settings, maximize);
    this.numeric = space.stream().filter(Cmaes::numeric).toList();
    this.sigma0 =
        Double.parseDouble(settings.getOrDefault("sigma", Double.toString(DEFAULT_SIGMA)));
    this.restart = settings.getOrDefault("restart_strategy", "none").toLowerCase();
    this.seed =
        settings.containsKey("random_state")
            ? Long.parseLong(settings.get("random_state"))
            : random.nextLong();
  }

  static boolean numeric(Parameter p) {
    return p.type().equals("int") || p.type().equals("double");
  }

  /** Katib's rule: CMA-ES needs at least two int or double parameters. */
  static List<Problem> check(List<Parameter> space) {
    long n = space.stream().filter(Cmaes::numeric).count();
    if (n >= 2) {
      return List.of();
    }
    return List.of(
        Problem.at(
            "spec.parameters", "cmaes needs at least 2 int or double parameters, there are %d", n));
  }

  /** {@link #check(List)} and the settings only CMA-ES has: {@code sigma}, restart_strategy. */
  static List<Problem> check(Map<String, String> settings, List<Parameter> space) {
    List<Problem> out = new ArrayList<>(check(space));
    String strategy = settings.get("restart_strategy");
    if (strategy != null && !Set.of("none", "ipop", "bipop").contains(strategy.toLowerCase())) {
      out.add(
          Problem.at(
              "spec.algorithm.algorithmSettings.restart_strategy",
              "'%s' is not none, ipop or bipop",
              strategy));
    }
    String sigma = settings.get("sigma");
    if (sigma != null) {
      try {
        if (!(Double.parseDouble(sigma) > 0)) {
          out.add(Problem.at("spec.algorithm.algorithmSettings.sigma", "'%s' is not > 0", sigma));
        }
      } catch (NumberFormatException e) {
        out.add(
            Problem.at("spec.algorithm.algorithmSettings.sigma", "'%s' is not a number", sigma));
      }
    }
    return out;
  }

  @Override
  public List<Map<String, String>> suggest(int n, List<Observed> history) {
    if (numeric.isEmpty()) {
      return fresh(n, history, this::sample); // check() refuses such a space; stay usable anyway
    }
    Run run = replay(history);
    Random rng = new Random(mix(seed, history.size()));
    return fresh(n, history, () -> decode(run.sample(rng), rng));
  }

  /** The run the history leads to: every complete generation told, restarts made. */
  Run replay(List<Observed> history) {
    int dim = numeric.size();
    int lambda0 = 4 + (int) Math.floor(3 * Math.log(dim));
    double[] center = new double[dim];
    Arrays.fill(center, 0.5);
    Run run = new Run(center, sigma0, lambda0, 0);
    List<Observed> told = history.stream().filter(o -> o.objective() != null).toList();
    long large = 0; // evaluations spent by the first run and large-population runs (bipop)
    long small = 0; // and by small-population runs
    int doublings = 0;
    boolean smallRegime = false;
    int restarts = 0;
    for (int i = 0; i + run.lambda <= told.size(); ) {
      List<double[]> xs = new ArrayList<>();
      double[] fs = new double[run.lambda];
      for (int k = 0; k < run.lambda; k++, i++) {
        Observed o = told.get(i);
        xs.add(encode(o.assignments()));
        fs[k] = maximize ? -o.objective() : o.objective();
      }
      run.tell(xs, fs);
      if (smallRegime) {
        small += run.lambda;
      } else {
        large += run.lambda;
      }
      if (restart.equals("none") || !run.stagnant(resolution())) {
        continue;
      }
      restarts++;
      Random r = new Random(mix(seed, -restarts));
      double[] mean = new double[dim];
      for (int d = 0; d < dim; d++) {
        mean[d] = r.nextDouble();
      }
      smallRegime = restart.equals("bipop") && small < large;
      if (smallRegime) {
        double multiplier = Math.pow(2, Math.min(MAX_DOUBLINGS, restarts));
        double u = r.nextDouble();
        int lambda = (int) Math.floor(lambda0 * Math.pow(multiplier, u * u));
        run = new Run(mean, sigma0 * Math.pow(10, -2 * r.nextDouble()), lambda, restarts);
      } else {
        doublings = Math.min(MAX_DOUBLINGS, doublings + 1);
        run = new Run(mean, sigma0, lambda0 << doublings, restarts);
      }
    }
    return run;
  }

  /** Per dimension, the unit-cube distance below which steps no longer change the value. */
  private double[] resolution() {
    double[] res = new double[numeric.size()];
    for (int d = 0; d < res.length; d++) {
      Parameter p = numeric.get(d);
      double range = p.max() - p.min();
      double step = p.step() != null ? p.step() : p.type().equals("int") ? 1 : 0;
      res[d] = range > 0 && step > 0 && !log(p) ? 0.1 * step / range : 1e-12;
    }
    return res;
  }

  private static boolean log(Parameter p) {
    return p.distribution().startsWith("log");
  }

  /** The int and double values of {@code a} in the unit cube. */
  double[] encode(Map<String, String> a) {
    double[] x = new double[numeric.size()];
    for (int d = 0; d < x.length; d++) {
      Parameter p = numeric.get(d);
      double v = Double.parseDouble(a.get(p.name()));
      double lo = log(p) ? Math.log(p.min()) : p.min();
      double hi = log(p) ? Math.log(p.max()) : p.max();
      x[d] = hi > lo ? clamp(((log(p) ? Math.log(v) : v) - lo) / (hi - lo), 0, 1) : 0.5;
    }
    return x;
  }

  private Map<String, String> decode(double[] x, Random rng) {
    Map<String, String> a = new LinkedHashMap<>();
    int d = 0;
    for (Parameter p : space) {
      if (!numeric(p)) {
        a.put(p.name(), format(p, rng.nextInt(p.list().size())));
        continue;
      }
      double u = x[d++];
      double v =
          log(p)
              ? Math.exp(Math.log(p.min()) + u * (Math.log(p.max()) - Math.log(p.min())))
              : p.min() + u * (p.max() - p.min());
      a.put(p.name(), format(p, v));
    }
    return a;
  }

  /** SplitMix64's finaliser over two numbers: seeds that differ in one bit share nothing. */
  static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** One CMA-ES run: its strategy parameters and the distribution it has adapted. */
  static final class Run {
    final int n;
    final int lambda;
    final int mu;
    final double[] weights;
    final double mueff;
    final double cc;
    final double cs;
    final double c1;
    final double cmu;
    final double damps;
    final double chiN;
    final double sigmaStart;
    final int restart;
    double[] mean;
    double sigma;
    double[][] c;
    double[] pc;
    double[] ps;
    double[][] b;
    double[] diag;
    int generation;
    final List<Double> bests = new ArrayList<>();
    double lastRange;

    Run(double[] mean, double sigma, int lambda, int restart) {
      this.restart = restart;
      this.n = mean.length;
      this.lambda = lambda;
      this.mu = lambda / 2;
      this.weights = new double[mu];
      double sum = 0;
      for (int i = 0; i < mu; i++) {
        weights[i] = Math.log((lambda + 1) / 2.0) - Math.log(i + 1);
        sum += weights[i];
      }
      double sq = 0;
      for (int i = 0; i < mu; i++) {
        weights[i] /= sum;
        sq += weights[i] * weights[i];
      }
      this.mueff = 1 / sq;
      this.cc = (4 + mueff / n) / (n + 4 + 2 * mueff / n);
      this.cs = (mueff + 2) / (n + mueff + 5);
      this.c1 = 2 / ((n + 1.3) * (n + 1.3) + mueff);
      this.cmu = Math.min(1 - c1, 2 * (mueff - 2 + 1 / mueff) / ((n + 2) * (n + 2) + mueff));
      this.damps = 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + cs;
      this.chiN = Math.sqrt(n) * (1 - 1.0 / (4 * n) + 1.0 / (21.0 * n * n));
      this.mean = mean.clone();
      this.sigma = sigma;
      this.sigmaStart = sigma;
      this.c = identity(n);
      this.b = identity(n);
      this.diag = new double[n];
      Arrays.fill(diag, 1);
      this.pc = new double[n];
      this.ps = new double[n];
    }

    /** A point of N(mean, sigma^2 C) inside the unit cube: drawn again up to 100 times, clipped. */
    double[] sample(Random rng) {
      double[] x = new double[n];
      for (int attempt = 0; attempt < 100; attempt++) {
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
          z[i] = diag[i] * rng.nextGaussian();
        }
        boolean inside = true;
        for (int i = 0; i < n; i++) {
          double y = 0;
          for (int j = 0; j < n; j++) {
            y += b[i][j] * z[j];
          }
          x[i] = mean[i] + sigma * y;
          inside &= x[i] >= 0 && x[i] <= 1;
        }
        if (inside) {
          return x;
        }
      }
      for (int i = 0; i < n; i++) {
        x[i] = clamp(x[i], 0, 1);
      }
      return x;
    }

    /** One generation's points and their values (lower is better): Hansen's update. */
    void tell(List<double[]> xs, double[] fs) {
      Integer[] order = new Integer[fs.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, Comparator.comparingDouble(i -> fs[i]));
      double[] old = mean;
      double[][] ys = new double[mu][n];
      double[] yw = new double[n];
      for (int k = 0; k < mu; k++) {
        double[] x = xs.get(order[k]);
        for (int i = 0; i < n; i++) {
          ys[k][i] = (x[i] - old[i]) / sigma;
          yw[i] += weights[k] * ys[k][i];
        }
      }
      mean = new double[n];
      for (int i = 0; i < n; i++) {
        mean[i] = old[i] + sigma * yw[i];
      }
      double[] white = invSqrtC(yw);
      double csn = Math.sqrt(cs * (2 - cs) * mueff);
      for (int i = 0; i < n; i++) {
        ps[i] = (1 - cs) * ps[i] + csn * white[i];
      }
      generation++;
      double psNorm = norm(ps);
      boolean hsig =
          psNorm / Math.sqrt(1 - Math.pow(1 - cs, 2.0 * generation)) / chiN < 1.4 + 2.0 / (n + 1);
      double ccn = Math.sqrt(cc * (2 - cc) * mueff);
      for (int i = 0; i < n; i++) {
        pc[i] = (1 - cc) * pc[i] + (hsig ? ccn * yw[i] : 0);
      }
      double lost = hsig ? 0 : c1 * cc * (2 - cc);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j <= i; j++) {
          double rankMu = 0;
          for (int k = 0; k < mu; k++) {
            rankMu += weights[k] * ys[k][i] * ys[k][j];
          }
          c[i][j] = (1 - c1 - cmu + lost) * c[i][j] + c1 * pc[i] * pc[j] + cmu * rankMu;
          c[j][i] = c[i][j];
        }
      }
      sigma *= Math.exp(Math.min(1, (cs / damps) * (psNorm / chiN - 1)));
      decompose();
      bests.add(fs[order[0]]);
      lastRange = fs[order[fs.length - 1]] - fs[order[0]];
    }

    /** Whether this run should give way to a new one. */
    boolean stagnant(double[] resolution) {
      int window = 10 + (int) Math.ceil(30.0 * n / lambda);
      if (bests.size() >= window) {
        List<Double> recent = bests.subList(bests.size() - window, bests.size());
        double lo = recent.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double hi = recent.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        if (hi - lo < 1e-12 && !(lastRange >= 1e-12)) {
          return true;
        }
      }
      boolean small = true;
      for (int i = 0; i < n; i++) {
        small &= sigma * Math.max(Math.abs(pc[i]), Math.sqrt(c[i][i])) < resolution[i];
      }
      double maxD = Arrays.stream(diag).max().orElse(1);
      double minD = Arrays.stream(diag).min().orElse(1);
      return small || maxD * maxD > 1e14 * minD * minD || sigma * maxD > 1e4 * sigmaStart;
    }

    /** C^-1/2 v, through the eigenvectors and eigenvalues. */
    private double[] invSqrtC(double[] v) {
      double[] t = new double[n];
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int i = 0; i < n; i++) {
          s += b[i][j] * v[i];
        }
        t[j] = s / diag[j];
      }
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          out[i] += b[i][j] * t[j];
        }
      }
      return out;
    }

    /** Eigenvectors into {@code b}, square roots of the eigenvalues into {@code diag}. */
    private void decompose() {
      double[][] a = new double[n][];
      for (int i = 0; i < n; i++) {
        a[i] = c[i].clone();
      }
      double[][] v = identity(n);
      jacobi(a, v);
      b = v;
      for (int i = 0; i < n; i++) {
        diag[i] = Math.sqrt(Math.max(a[i][i], 1e-300));
      }
    }
  }

  static double[][] identity(int n) {
    double[][] m = new double[n][n];
    for (int i = 0; i < n; i++) {
      m[i][i] = 1;
    }
    return m;
  }

  static double norm(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  /**
   * Cyclic Jacobi rotations: {@code a} (symmetric) ends diagonal, its eigenvalues on the diagonal,
   * and {@code v}'s columns hold the eigenvectors.
   */
  static void jacobi(double[][] a, double[][] v) {
    int n = a.length;
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      double total = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          total += a[i][j] * a[i][j];
          if (i != j) {
            off += a[i][j] * a[i][j];
          }
        }
      }
      if (off <= 1e-30 * total) {
        return;
      }
      for (int p = 0; p < n - 1; p++) {
        for (int q = p + 1; q < n; q++) {
          if (a[p][q] == 0) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double cos = 1 / Math.sqrt(t * t + 1);
          double sin = t * cos;
          for (int k = 0; k < n; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = cos * akp - sin * akq;
            a[k][q] = sin * akp + cos * akq;
          }
          for (int k = 0; k < n; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = cos * apk - sin * aqk;
            a[q][k] = sin * apk + cos * aqk;
          }
          for (int k = 0; k < n; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = cos * vkp - sin * vkq;
            v[k][q] = sin * vkp + cos * vkq;
          }
        }
      }
    }
  }
}
