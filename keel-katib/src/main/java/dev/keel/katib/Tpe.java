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
 * The tree-structured Parzen estimator, {@code tpe} and {@code multivariate-tpe}.
 *
 * <p>After {@code n_startup_trials} random trials (10), the finished trials split into the best few
 * ("below": {@code min(ceil(0.1 n), 25)} of {@code n}, or hyperopt's {@code ceil(gamma √n)} when
 * the {@code gamma} setting is given) and the rest ("above"). Each side becomes a Parzen estimator:
 * one truncated-normal kernel per trial, plus a flat prior kernel weighted {@code prior_weight}
 * (1); older trials weigh less once there are more than 25, as Optuna does it. Candidates ({@code
 * n_EI_candidates}, 24) are drawn from the good side's estimator and the one with the highest ratio
 * of good to bad density is suggested.
 *
 * <p>{@code tpe} treats every parameter on its own: each kernel's width in a dimension is the
 * larger gap to its neighbours there (clipped to between the range over {@code min(100, n+1)} and
 * the range), and each parameter's candidate is chosen by its own ratio. {@code multivariate-tpe}
 * models the parameters jointly: kernels are products over the dimensions with Scott's-rule widths
 * ({@code 0.2 n^(-1/(d+4))} of each range), so a candidate is a whole point and interactions
 * between parameters are seen. Log-distributed parameters are modelled on the log scale, ints on
 * their half-step-widened range, categorical and discrete ones by index with smoothed one-hot
 * kernels.
 *
 * <p>Trials still running count as bad ones (a "constant liar"), so parallel trials spread out
 * instead of piling onto the same spot.
 */
final class Tpe extends Search {
  private final boolean multivariate;
  private final Double gamma;
  private final int candidates;
  private final int startup;
  private final double priorWeight;

  Tpe(List<Parameter> space, Map<String, String> settings, boolean maximize, boolean multivariate) {
    super(space, settings, maximize);
    this.multivariate = multivariate;
    this.gamma = settings.containsKey("gamma") ? Double.valueOf(settings.get("gamma")) : null;
    String c = settings.getOrDefault("n_EI_candidates", settings.get("n_ei_candidates"));
    this.candidates = c == null ? 24 : Math.max(1, Integer.parseInt(c));
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
            ? (int) Math.ceil(0.1 * xs.size())
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
    int d = space.size();
    if (multivariate) {
      double[] best = null;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < candidates; c++) {
        int component = good.pick();
        double[] x = new double[d];
        for (int j = 0; j < d; j++) {
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
    double[] x = new double[d];
    for (int j = 0; j < d; j++) {
      double best = Double.NaN;
      double bestScore = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < candidates; c++) {
        double v = good.sample(good.pick(), j);
        double score = good.logDensity(j, v) - bad.logDensity(j, v);
        if (score > bestScore) {
          bestScore = score;
          best = v;
        }
      }
      x[j] = best;
    }
    return x;
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
        if (multivariate) {
          double s = 0.2 * Math.pow(m, -1.0 / (d + 4)) * range;
          for (int i = 0; i < n; i++) {
            sigma[i][j] = clamp(s, minSigma, range);
          }
        } else {
          neighbourWidths(j, n, lo, hi, minSigma, range);
        }
        sigma[n][j] = range;
      }
    }

    /** Each kernel's width: the larger gap to its neighbours (the ends not counted as such). */
    private void neighbourWidths(
        int j, int n, double lo, double hi, double minSigma, double range) {
      Integer[] idx = new Integer[n + 1];
      for (int i = 0; i <= n; i++) {
        idx[i] = i;
      }
      Arrays.sort(idx, Comparator.comparingDouble(i -> mu[i][j]));
      double[] s = new double[n + 3];
      s[0] = lo;
      for (int i = 0; i <= n; i++) {
        s[i + 1] = mu[idx[i]][j];
      }
      s[n + 2] = hi;
      double[] width = new double[n + 1];
      for (int i = 0; i <= n; i++) {
        width[i] = Math.max(s[i + 1] - s[i], s[i + 2] - s[i + 1]);
      }
      if (n + 3 >= 4) {
        width[0] = s[2] - s[1];
        width[n] = s[n + 1] - s[n];
      }
      for (int i = 0; i <= n; i++) {
        sigma[idx[i]][j] = clamp(width[i], minSigma, range);
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

    double logDensity(int j, double v) {
      double[] terms = new double[weights.length];
      for (int i = 0; i < weights.length; i++) {
        terms[i] = Math.log(weights[i]) + logKernel(i, j, v);
      }
      return logSumExp(terms);
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
