package dev.keel.katib;

import dev.keel.core.Problem;
import dev.keel.katib.Experiment.Parameter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hyperband under Katib's name {@code hyperband} (Li et al. 2018, as Katib's own service runs it):
 * brackets {@code s = s_max .. 0} with {@code s_max = floor(log(r_l) / log(eta))}; bracket {@code
 * s} starts {@code n = ceil((s_max + 1) / (s + 1) * eta^s)} random configurations with the resource
 * {@code r = r_l * eta^-s}, and successive halving runs the best {@code floor(n_i / eta)} of each
 * rung again (the same assignments but the resource) with {@code eta} times the resource, up to
 * {@code r_l}. With {@code r_l = 9, eta = 3}: 9 configurations at 1, the best 3 at 3, the best one
 * at 9; then 5 at 3 and the best one at 9; then 3 at 9; 22 trials in all.
 *
 * <p>Settings: {@code resource_name} (required: the int or double parameter that holds the
 * resource, such as epochs), {@code r_l} (required: the largest resource, > 0), {@code eta} (the
 * halving rate, > 1, default 3) and {@code random_state}. The resource is written as Katib writes
 * it, an int parameter's truncated to an integer and a double's as a float, and is not held to the
 * parameter's range: Katib's own example declares {@code num-epochs} from 1 to 1 with {@code r_l
 * 2}.
 *
 * <p>Everything follows from the history, in creation order, so a restarted controller carries on:
 * the schedule fixes how many trials each rung has, and the history's trials fill the rungs in
 * turn. A rung's trial has ended once it has an objective or failed; a failed trial ranks below
 * every other. {@link #suggest(int, List, Set)} answers:
 *
 * <ul>
 *   <li>up to {@code n} trials of the next rung, which may be the rest of a rung an earlier answer
 *       began: random configurations for a bracket's first rung, the previous rung's best for the
 *       others (best first);
 *   <li>nothing while a rung's promotions wait on trials of the previous rung still running: ask
 *       again when one ends. The first rung of the next bracket does not wait on the last rung of
 *       the one before, as in Katib;
 *   <li>nothing once every rung has been handed out, which {@link #finished} tells apart from
 *       waiting: the experiment ends when its running trials do.
 * </ul>
 *
 * <p>{@link #suggest(int, List)}, which knows no failed trials, takes every trial without an
 * objective to be running, and so waits for ever on a failed one; a controller passes the failed
 * trials to the three-argument form. Unlike Katib, whose first rung has as many configurations as
 * the request asks for (its {@code param.n = request.request_number}), a rung here has the size the
 * schedule gives it, and {@code s_max} allows for rounding ({@code log(1000) / log(10)} is 3).
 */
final class Hyperband extends Search {
  /** The settings Hyperband takes. */
  static final Set<String> SETTINGS = Set.of("random_state", "resource_name", "r_l", "eta");

  /** The default halving rate. */
  static final double DEFAULT_ETA = 3;

  /**
   * One rung of the schedule.
   *
   * @param bracket the bracket's {@code s}
   * @param index the rung's {@code i} within the bracket, from 0
   * @param size how many trials it runs
   * @param resource the resource each gets, {@code r_l * eta^(i - s)}
   */
  record Rung(int bracket, int index, int size, double resource) {}

  private final Parameter resource;
  private final List<Rung> rungs;

  /** Throws {@link IllegalArgumentException} where {@link #check} finds a problem. */
  Hyperband(List<Parameter> space, Map<String, String> settings, boolean maximize) {
    super(space, settings, maximize);
    List<Problem> problems = check(settings, space, Integer.MAX_VALUE);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(problems.get(0).toString());
    }
    String name = settings.get("resource_name");
    this.resource = space.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    double eta = Double.parseDouble(settings.getOrDefault("eta", Double.toString(DEFAULT_ETA)));
    this.rungs = schedule(Double.parseDouble(settings.get("r_l")), eta);
  }

  /** {@code floor(log(r_l) / log(eta))}, allowing for rounding, and never below 0. */
  static int sMax(double rl, double eta) {
    return Math.max(0, (int) Math.floor(Math.log(rl) / Math.log(eta) + 1e-9));
  }

  /** Every rung, in the order they run: the brackets from {@code s_max} down to 0. */
  static List<Rung> schedule(double rl, double eta) {
    int sMax = sMax(rl, eta);
    List<Rung> out = new ArrayList<>();
    for (int s = sMax; s >= 0; s--) {
      int size = (int) Math.ceil((sMax + 1.0) / (s + 1) * Math.pow(eta, s) - 1e-9);
      for (int i = 0; i <= s; i++) {
        out.add(new Rung(s, i, size, rl / Math.pow(eta, s - i)));
        size = Math.max(1, (int) Math.floor(size / eta + 1e-9));
      }
    }
    return out;
  }

  /** The schedule's rungs. */
  List<Rung> rungs() {
    return rungs;
  }

  /** How many trials the whole schedule runs. */
  int totalTrials() {
    return rungs.stream().mapToInt(Rung::size).sum();
  }

  /** Katib's validation, with paths; the parallelism is the experiment's parallelTrialCount. */
  static List<Problem> check(
      Map<String, String> settings, List<Parameter> space, int parallelTrialCount) {
    String at = "spec.algorithm.algorithmSettings.";
    List<Problem> out = new ArrayList<>();
    String name = settings.get("resource_name");
    if (name == null) {
      out.add(Problem.at(at + "resource_name", "required: the parameter that holds the resource"));
    } else {
      Parameter p = space.stream().filter(q -> q.name().equals(name)).findFirst().orElse(null);
      if (p == null) {
        out.add(Problem.at(at + "resource_name", "'%s' is not a parameter", name));
      } else if (!p.type().equals("int") && !p.type().equals("double")) {
        out.add(
            Problem.at(
                at + "resource_name",
                "'%s' is %s; the resource must be int or double",
                name,
                p.type()));
      }
    }
    Double rl = number(settings.get("r_l"), at + "r_l", out);
    if (settings.get("r_l") == null) {
      out.add(Problem.at(at + "r_l", "required: the largest resource a trial gets"));
    } else if (rl != null && !(rl > 0)) {
      out.add(Problem.at(at + "r_l", "'%s' is not > 0", settings.get("r_l")));
    }
    Double eta = number(settings.getOrDefault("eta", "3"), at + "eta", out);
    if (eta != null && !(eta > 1)) {
      out.add(Problem.at(at + "eta", "'%s' is not > 1", settings.get("eta")));
    }
    if (rl != null && rl > 0 && eta != null && eta > 1) {
      int need = (int) Math.ceil(Math.pow(eta, sMax(rl, eta)) - 1e-9);
      if (parallelTrialCount < need) {
        out.add(
            Problem.at(
                "spec.parallelTrialCount",
                "hyperband with r_l %s and eta %s needs parallelTrialCount >= %d",
                settings.get("r_l"),
                settings.getOrDefault("eta", "3"),
                need));
      }
    }
    return out;
  }

  private static Double number(String v, String path, List<Problem> out) {
    if (v == null) {
      return null;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      out.add(Problem.at(path, "'%s' is not a number", v));
      return null;
    }
  }

  /** As {@link #suggest(int, List, Set)}, the failed trials read from the history. */
  @Override
  public List<Map<String, String>> suggest(int n, List<Observed> history) {
    return suggest(n, history, failed(history));
  }

  private static Set<Map<String, String>> failed(List<Observed> history) {
    Set<Map<String, String>> out = new java.util.HashSet<>();
    history.forEach(
        o -> {
          if (o.failed()) {
            out.add(o.assignments());
          }
        });
    return out;
  }

  /**
   * Up to {@code n} trials of the next rung; none while waiting or once done (see the class).
   *
   * @param failed the assignments of trials that ended without an objective
   */
  public List<Map<String, String>> suggest(
      int n, List<Observed> history, Set<Map<String, String>> failed) {
    Step step = step(history, failed);
    if (step.rung == null || step.waiting) {
      return List.of();
    }
    int want = Math.min(n, step.rung.size() - step.issued);
    if (step.plan == null) {
      return fresh(want, history, () -> configuration(step.rung));
    }
    return List.copyOf(step.plan.subList(step.issued, step.issued + want));
  }

  /** Whether every rung has been handed out: no suggestion will ever come again. */
  @Override
  public boolean finished(List<Observed> history) {
    return finished(history, failed(history));
  }

  /** As {@link #finished(List)}, knowing which trials failed. */
  public boolean finished(List<Observed> history, Set<Map<String, String>> failed) {
    return step(history, failed).rung == null;
  }

  /**
   * Where the history stands: the rung to fill next and how many of its trials exist, and its
   * promotions, or no rung once all are handed out.
   */
  private record Step(Rung rung, int issued, List<Map<String, String>> plan, boolean waiting) {}

  private Step step(List<Observed> history, Set<Map<String, String>> failed) {
    int pos = 0;
    List<Observed> previous = List.of();
    for (Rung rung : rungs) {
      int from = Math.min(pos, history.size());
      List<Observed> mine = history.subList(from, Math.min(pos + rung.size(), history.size()));
      List<Map<String, String>> plan = null;
      if (rung.index() > 0) {
        if (mine.isEmpty() && !ended(previous, failed)) {
          return new Step(rung, 0, null, true);
        }
        plan = promote(previous, rung);
      }
      if (mine.size() < rung.size()) {
        return new Step(rung, mine.size(), plan, false);
      }
      pos += rung.size();
      previous = mine;
    }
    return new Step(null, 0, null, false);
  }

  private static boolean ended(List<Observed> trials, Set<Map<String, String>> failed) {
    return trials.stream().allMatch(o -> o.objective() != null || failed.contains(o.assignments()));
  }

  /** The best {@code rung.size()} of the previous rung, best first, with the rung's resource. */
  private List<Map<String, String>> promote(List<Observed> previous, Rung rung) {
    List<Observed> ranked = new ArrayList<>(previous);
    ranked.sort(Comparator.comparingDouble(this::badness)); // stable: ties keep their order
    List<Map<String, String>> out = new ArrayList<>();
    for (Observed o : ranked.subList(0, Math.min(rung.size(), ranked.size()))) {
      Map<String, String> a = new LinkedHashMap<>(o.assignments());
      a.put(resource.name(), resourceValue(rung.resource()));
      out.add(a);
    }
    return out;
  }

  /** Lower is better; trials without an objective (failed) come last. */
  private double badness(Observed o) {
    Double v = o.objective();
    if (v == null || v.isNaN()) {
      return Double.POSITIVE_INFINITY;
    }
    return maximize ? -v : v;
  }

  private Map<String, String> configuration(Rung rung) {
    Map<String, String> a = sample();
    a.put(resource.name(), resourceValue(rung.resource()));
    return a;
  }

  /** As Katib writes it: {@code str(int(r))} for an int resource, a float for a double one. */
  String resourceValue(double r) {
    if (resource.type().equals("int")) {
      return Long.toString((long) Math.floor(r + 1e-9));
    }
    return pyFloat(new BigDecimal(r).round(new MathContext(12)).doubleValue());
  }
}
