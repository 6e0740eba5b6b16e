package dev.keel.katib;

import dev.keel.katib.Experiment.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tree-structured Parzen estimator, for {@code tpe} and {@code multivariate-tpe} alike.
 *
 * <p>After {@code n_startup_trials} random trials (10), the finished trials split into the best few
 * ("below": {@code min(ceil(0.15 n), 25)} of {@code n}, or hyperopt's {@code ceil(gamma √n)} when
 * the {@code gamma} setting is given) and the rest ("above"). Each side becomes a Parzen estimator:
 * one kernel per trial, plus a flat prior kernel weighted {@code prior_weight} (1); older trials
 * weigh less once there are more than 25, as Optuna does it. Candidates ({@code n_EI_candidates} or
 * {@code n_ei_candidates}, 48) are drawn from the good side's estimator and the one with the
 * highest ratio of good to bad density is suggested.
 *
 * <p>The kernels model the parameters jointly, as Optuna's {@code multivariate=True} does — a
 * product over the dimensions of truncated normals (smoothed one-hot distributions for categorical
 * and discrete parameters) — so a candidate is a whole point and interactions between parameters
 * are seen; hyperopt's {@code tpe}, which Katib runs, treats each parameter on its own. The widths
 * are Scott's rule with a smaller constant than Optuna's, {@code 0.05 n^(-1/(d+4))} of each range,
 * no narrower than the range over {@code min(100, n+2)}; together with the wider good quantile this
 * closes in on an optimum sooner. bench/hpo.sh measures it against Optuna's TPE. Log-distributed
 * parameters are modelled on the log scale, ints on their half-step-widened range.
 *
 * <p>Trials still running count as bad ones (a "constant liar"), so parallel trials spread out
 * instead of piling onto the same spot.
 */
final class Tpe extends Search {
  private final Double gamma;
  private final int candidates;
  private final int startup;
  private final double priorWeight;

  /** Kernel width as a fraction of the range, before the shrinking with the number of trials. */
  static final double BANDWIDTH = 0.05;

  /** The share of trials counted as good, without a {@code gamma} setting. */
  static final double GOOD_SHARE = 0.15;

  Tpe(List<Parameter> space, Map<String, String> settings, boolean maximize) {
    super(space, settings, maximize);
    this.gamma = settings.containsKey("gamma") ? Double.valueOf(settings.get("gamma")) : null;
    String c = settings.getOrDefault("n_EI_candidates", settings.get("n_ei_candidates"));
    this.candidates = c == null ? 48 : Math.max(1, Integer.parseInt(c));
    this.startup = Integer.parseInt(settings.getOrDefault("n_startup_trials", "10"));
    this.priorWeight = Double.parseDouble(settings.getOrDefault("prior_weight", "1.0"));
  }

  @Override
  public List<Map<String, String>> suggest(int n, List<Observed> history) {
    List<Observed> done = history.stream().filter(o -> o.objective() != null).toList();
    if (done.size() < startup) {
      return fresh(n, history, this::sample);
    }
    Set<Map<String, String>> seen = seen(history);
    List<double[]> pending = new ArrayList<>();
    for (Observed o : history) {
      if (o.objective() == null) {
        pending.add(encode(o.assignments()));
      }
    }
    // the finished trials in trial order, each with its rank
    List<double[]> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (Observed o : done) {
      xs.add(encode(o.assignments()));
      ys.add(maximize ? -o.objective() : o.objective());
    }
    Integer[] order = new Integer[xs.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(ys::get));
    int nBelow =
        gamma == null
            ? (int) Math.ceil(GOOD_SHARE * xs.size())
            : (int) Math.ceil(gamma * Math.sqrt(xs.size()));
    nBelow = Math.max(1, Math.min(Math.min(25, nBelow), xs.size()));
    boolean[] isBelow = new boolean[xs.size()];
    for (int i = 0; i < nBelow; i++) {
      isBelow[order[i]] = true;
    }
    List<double[]> below = new ArrayList<>();
    List<double[]> above = new ArrayList<>();
    for (int i = 0; i < xs.size(); i++) {
      (isBelow[i] ? below : above).add(xs.get(i));
    }

    List<Map<String, String>> out = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      List<double[]> bad = new ArrayList<>(above);
      bad.addAll(pending);
      Parzen good = new Parzen(below, forgettingWeights(below.size()));
      Parzen worse = new Parzen(bad, forgettingWeights(bad.size()));
      Map<String, String> chosen = null;
      for (int attempt = 0; attempt < 50 && chosen == null; attempt++) {
        Map<String, String> a = decode(propose(good, worse));
        if (!seen.contains(a)) {
          chosen = a;
        }
      }
      if (chosen == null) { // the estimators keep proposing seen points: fall back to random ones
        List<Observed> all = new ArrayList<>(history);
        seen.forEach(s -> all.add(new Observed(s, null)));
        List<Map<String, String>> r = fresh(1, all, this::sample);
        if (r.isEmpty()) {
          break;
        }
        chosen = r.get(0);
      }
      seen.add(chosen);
      out.add(chosen);
      pending.add(encode(chosen));
    }
    return out;
  }

  /** The candidate, in the internal coordinates, that maximises l(x)/g(x). */
  private double[] propose(Parzen good, Parzen bad) {
    double[] best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < candidates; c++) {
      int component = good.pick();
      double[] x = new double[space.size()];
      for (int j = 0; j < x.length; j++) {
        x[j] = good.sample(component, j);
      }
      double score = good.logDensity(x) - bad.logDensity(x);
      if (score > bestScore) {
        bestScore = score;
        best = x;
      }
    }
    return best;
  }

  // ------------------------------------------------------------------ coordinates

  private boolean categorical(Parameter p) {
    return p.type().equals("categorical") || p.type().equals("discrete");
  }

  private boolean log(Parameter p) {
    return p.distribution().startsWith("log") && p.min() > 0;
  }

  private double low(Parameter p) {
    if (categorical(p)) {
      return 0;
    }
    double half = p.type().equals("int") ? 0.5 * (p.step() == null ? 1 : p.step()) : 0;
    return log(p) ? Math.log(p.min() - half > 0 ? p.min() - half : p.min()) : p.min() - half;
  }

  private double high(Parameter p) {
    if (categorical(p)) {
      return p.list().size() - 1;
    }
    double half = p.type().equals("int") ? 0.5 * (p.step() == null ? 1 : p.step()) : 0;
    return log(p) ? Math.log(p.max() + half) : p.max() + half;
  }

  private double[] encode(Map<String, String> a) {
    double[] x = new double[space.size()];
    for (int j = 0; j < x.length; j++) {
      Parameter p = space.get(j);
      String v = a.get(p.name());
      if (categorical(p)) {
        x[j] = Math.max(0, p.list().indexOf(v));
      } else {
        double d = Double.parseDouble(v);
        x[j] = log(p) ? Math.log(d) : d;
      }
    }
    return x;
  }

  private Map<String, String> decode(double[] x) {
    Map<String, String> a = new LinkedHashMap<>();
    for (int j = 0; j < x.length; j++) {
      Parameter p = space.get(j);
      double v = x[j];
      if (!categorical(p)) {
        v = clamp(log(p) ? Math.exp(v) : v, p.min(), p.max());
      }
      a.put(p.name(), format(p, v));
    }
    return a;
  }

  // ------------------------------------------------------------------ the estimator

  /**
   * A mixture over trials (plus the prior, the last component): weights, and per component and
   * dimension a kernel centre and width (numeric) or a distribution over categories.
   */
  private final class Parzen {
    final double[] weights;
    final double[][] mu;
    final double[][] sigma;
    final double[][][] categories;

    Parzen(List<double[]> obs, double[] w) {
      int n = obs.size();
      int m = n + 1;
      int d = space.size();
      weights = new double[m];
      System.arraycopy(w, 0, weights, 0, n);
      weights[n] = priorWeight;
      double total = Arrays.stream(weights).sum();
      for (int i = 0; i < m; i++) {
        weights[i] /= total;
      }
      mu = new double[m][d];
      sigma = new double[m][d];
      categories = new double[m][][];
      for (int i = 0; i < m; i++) {
        categories[i] = new double[d][];
      }
      for (int j = 0; j < d; j++) {
        Parameter p = space.get(j);
        if (categorical(p)) {
          int k = p.list().size();
          for (int i = 0; i < m; i++) {
            double[] row = new double[k];
            Arrays.fill(row, i < n ? priorWeight / m : 1.0 / k);
            if (i < n) {
              row[(int) obs.get(i)[j]] += 1;
            }
            double s = Arrays.stream(row).sum();
            for (int c = 0; c < k; c++) {
              row[c] /= s;
            }
            categories[i][j] = row;
          }
          continue;
        }
        double lo = low(p);
        double hi = high(p);
        double range = hi - lo;
        for (int i = 0; i < n; i++) {
          mu[i][j] = obs.get(i)[j];
        }
        mu[n][j] = (lo + hi) / 2;
        double minSigma = range / Math.min(100.0, 1 + m);
        double s = BANDWIDTH * Math.pow(m, -1.0 / (d + 4)) * range;
        for (int i = 0; i < n; i++) {
          sigma[i][j] = clamp(s, minSigma, range);
        }
        sigma[n][j] = range;
      }
    }

    int pick() {
      double r = random.nextDouble();
      for (int i = 0; i < weights.length; i++) {
        r -= weights[i];
        if (r <= 0) {
          return i;
        }
      }
      return weights.length - 1;
    }

    double sample(int i, int j) {
      Parameter p = space.get(j);
      if (categorical(p)) {
        double[] row = categories[i][j];
        double r = random.nextDouble();
        for (int c = 0; c < row.length; c++) {
          r -= row[c];
          if (r <= 0) {
            return c;
          }
        }
        return row.length - 1;
      }
      double lo = low(p);
      double hi = high(p);
      for (int tries = 0; tries < 100; tries++) {
        double v = mu[i][j] + sigma[i][j] * random.nextGaussian();
        if (v >= lo && v <= hi) {
          return v;
        }
      }
      return clamp(mu[i][j], lo, hi);
    }

    /** log of component i's density in dimension j at v. */
    double logKernel(int i, int j, double v) {
      Parameter p = space.get(j);
      if (categorical(p)) {
        return Math.log(categories[i][j][(int) Math.round(v)]);
      }
      double s = sigma[i][j];
      double z = (v - mu[i][j]) / s;
      double mass =
          GaussianProcess.phi((high(p) - mu[i][j]) / s)
              - GaussianProcess.phi((low(p) - mu[i][j]) / s);
      return -0.5 * z * z - Math.log(s * Math.sqrt(2 * Math.PI)) - Math.log(Math.max(mass, 1e-12));
    }

    double logDensity(double[] x) {
      double[] terms = new double[weights.length];
      for (int i = 0; i < weights.length; i++) {
        double t = Math.log(weights[i]);
        for (int j = 0; j < x.length; j++) {
          t += logKernel(i, j, x[j]);
        }
        terms[i] = t;
      }
      return logSumExp(terms);
    }
  }

  /** Optuna's weights in trial order: flat up to 25, then a ramp from 1/n for the oldest. */
  static double[] forgettingWeights(int n) {
    double[] w = new double[n];
    Arrays.fill(w, 1);
    if (n >= 25) {
      int ramp = n - 25;
      for (int i = 0; i < ramp; i++) {
        w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1 - 1.0 / n) * i / (ramp - 1);
      }
    }
    return w;
  }

  static double logSumExp(double[] v) {
    double max = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      max = Math.max(max, x);
    }
    if (max == Double.NEGATIVE_INFINITY) {
      return max;
    }
    double s = 0;
    for (double x : v) {
      s += Math.exp(x - max);
    }
    return max + Math.log(s);
  }
}
