import dev.keel.katib.Experiment.Parameter;
import dev.keel.katib.Search;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * Keel's side of bench/hpo.sh: each search of Keel on Branin, Hartmann6 and Rosenbrock-5D through
 * the same API the experiment controller uses (suggest one, evaluate, tell by history), then the
 * table of median best regret against Optuna's results (read from the file given) and one line
 * per function and budget.
 *
 * <p>Usage: java -cp keel.jar bench/Hpo.java OPTUNA_RESULTS SEEDS BUDGET [ALGORITHM,...]
 */
public class Hpo {
  record Fn(String name, double lo, double hi, int dims, double min, ToDoubleFunction<double[]> f) {}

  static final double[][] A = {
    {10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14}, {3, 3.5, 1.7, 10, 17, 8},
    {17, 8, 0.05, 10, 0.1, 14}
  };
  static final double[][] P = {
    {0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
    {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
    {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
    {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}
  };
  static final double[] ALPHA = {1.0, 1.2, 3.0, 3.2};

  static double branin(double[] x) {
    double b = 5.1 / (4 * Math.PI * Math.PI);
    double c = 5 / Math.PI;
    double t = x[1] - b * x[0] * x[0] + c * x[0] - 6;
    return t * t + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x[0]) + 10;
  }

  static double hartmann6(double[] x) {
    double s = 0;
    for (int i = 0; i < 4; i++) {
      double e = 0;
      for (int j = 0; j < 6; j++) {
        e += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
      }
      s += ALPHA[i] * Math.exp(-e);
    }
    return -s;
  }

  static double rosenbrock(double[] x) {
    double s = 0;
    for (int i = 0; i + 1 < x.length; i++) {
      s += 100 * Math.pow(x[i + 1] - x[i] * x[i], 2) + Math.pow(1 - x[i], 2);
    }
    return s;
  }

  static List<Parameter> space(Fn fn) {
    List<Parameter> space = new ArrayList<>();
    for (int i = 0; i < fn.dims; i++) {
      double lo = fn.name.equals("branin") ? (i == 0 ? -5 : 0) : fn.lo;
      double hi = fn.name.equals("branin") ? (i == 0 ? 10 : 15) : fn.hi;
      space.add(new Parameter("x" + (i + 1), "double", lo, hi, null, List.of(), "uniform"));
    }
    return space;
  }

  /** Best objective after 50 trials and after all of them. */
  static double[] study(Fn fn, String algorithm, int seed, int budget) {
    List<Parameter> space = space(fn);
    Search search = Search.of(algorithm, Map.of("random_state", Integer.toString(seed)), space, false);
    List<Search.Observed> history = new ArrayList<>();
    double best = Double.POSITIVE_INFINITY;
    double best50 = Double.NaN;
    for (int t = 0; t < budget; t++) {
      List<Map<String, String>> next = search.suggest(1, history);
      Map<String, String> a = next.get(0);
      double[] x = new double[fn.dims];
      for (int i = 0; i < x.length; i++) {
        x[i] = Double.parseDouble(a.get("x" + (i + 1)));
      }
      double y = fn.f.applyAsDouble(x);
      best = Math.min(best, y);
      history.add(new Search.Observed(a, y));
      if (t == Math.min(50, budget) - 1) {
        best50 = best;
      }
    }
    return new double[] {best50, best};
  }

  static double median(List<Double> v) {
    double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  public static void main(String[] args) throws Exception {
    Path optunaFile = Path.of(args[0]);
    int seeds = Integer.parseInt(args[1]);
    int budget = Integer.parseInt(args[2]);
    List<Fn> fns =
        List.of(
            new Fn("branin", 0, 0, 2, 0.397887357729739, Hpo::branin),
            new Fn("hartmann6", 0, 1, 6, -3.32236801141551, Hpo::hartmann6),
            new Fn("rosenbrock5", -2.048, 2.048, 5, 0, Hpo::rosenbrock));
    List<String> algorithms = new ArrayList<>();
    List<String> wanted =
        args.length > 3
            ? List.of(args[3].split(","))
            : List.of("tpe", "multivariate-tpe", "bayesianoptimization", "cmaes", "random");
    for (String a : wanted) {
      if (Search.ALGORITHMS.contains(a)) {
        algorithms.add(a);
      }
    }
    // regret[fn][algorithm][budget index] over seeds
    Map<String, List<Double>> regrets = new ConcurrentHashMap<>();
    for (String line : Files.readAllLines(optunaFile)) {
      String[] f = line.trim().split("\\s+");
      if (f.length != 4) {
        continue;
      }
      Fn fn = fns.stream().filter(x -> x.name.equals(f[0])).findFirst().orElseThrow();
      regrets.computeIfAbsent(f[0] + " optuna_tpe 50", k -> new ArrayList<>())
          .add(Double.parseDouble(f[2]) - fn.min);
      regrets.computeIfAbsent(f[0] + " optuna_tpe " + budget, k -> new ArrayList<>())
          .add(Double.parseDouble(f[3]) - fn.min);
    }
    long t0 = System.nanoTime();
    for (Fn fn : fns) {
      for (String alg : algorithms) {
        List<double[]> results =
            IntStream.range(0, seeds).parallel().mapToObj(s -> study(fn, alg, s, budget)).toList();
        List<Double> r50 = new ArrayList<>();
        List<Double> rAll = new ArrayList<>();
        for (double[] r : results) {
          r50.add(r[0] - fn.min);
          rAll.add(r[1] - fn.min);
        }
        regrets.put(fn.name + " " + alg + " 50", r50);
        regrets.put(fn.name + " " + alg + " " + budget, rAll);
      }
    }
    System.out.printf(
        "keel searches: %d studies in %.1f s%n",
        fns.size() * algorithms.size() * seeds, (System.nanoTime() - t0) / 1e9);
    List<String> columns = new ArrayList<>(List.of("optuna_tpe"));
    columns.addAll(algorithms);
    System.out.printf("median best regret over %d seeds%n", seeds);
    System.out.printf("%-12s %6s", "function", "budget");
    columns.forEach(c -> System.out.printf(" %20s", c));
    System.out.println();
    int[] budgets = budget > 50 ? new int[] {50, budget} : new int[] {budget};
    for (Fn fn : fns) {
      for (int b : budgets) {
        System.out.printf("%-12s %6d", fn.name, b);
        for (String c : columns) {
          List<Double> v = regrets.get(fn.name + " " + c + " " + b);
          System.out.printf(" %20s", v == null || v.isEmpty() ? "-" : String.format("%.4g", median(v)));
        }
        System.out.println();
      }
    }
    for (int b : budgets) {
      for (Fn fn : fns) {
        double keel = median(regrets.get(fn.name + " tpe " + b));
        List<Double> o = regrets.get(fn.name + " optuna_tpe " + b);
        double optuna = o == null || o.isEmpty() ? Double.NaN : median(o);
        List<Double> g = regrets.get(fn.name + " bayesianoptimization " + b);
        double gp = g == null ? Double.NaN : median(g);
        System.out.printf(
            "hpo fn=%s budget=%d keel_tpe=%.4g optuna_tpe=%.4g keel_gp=%.4g ratio_tpe=%.3f%n",
            fn.name, b, keel, optuna, gp, keel / optuna);
      }
    }
  }
}
