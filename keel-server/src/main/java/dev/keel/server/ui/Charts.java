package dev.keel.server.ui;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The geometry of the experiment charts, computed here so templates only place SVG elements: the
 * objective of each trial in the order they were made (with the best so far), and a
 * parallel-coordinates plot of the parameters against the objective.
 */
public final class Charts {
  private Charts() {}

  /** One trial as the charts see it: its parameters (as text) and objective (or null). */
  public record Trial(String name, Map<String, String> parameters, Double objective) {}

  /** A tick on an axis: its label and where it sits along the axis (pixels). */
  public record Tick(String label, double at) {}

  /** A dot: where it is, and the trial and value it shows. */
  public record Dot(double x, double y, String trial, String value) {}

  /** The objective over trials. */
  public record Line(
      double width,
      double height,
      double left,
      double top,
      double right,
      double bottom,
      List<Dot> dots,
      String bestSoFar,
      List<Tick> yTicks,
      List<Tick> xTicks) {
    public boolean isEmpty() {
      return dots.isEmpty();
    }
  }

  /** A vertical axis of the parallel-coordinates plot. */
  public record Axis(String name, double x, List<Tick> ticks) {}

  /** A trial's polyline across the axes, coloured by its objective. */
  public record Path(String trial, String points, String colour, String value) {}

  public record Parallel(
      double width, double height, double top, double bottom, List<Axis> axes, List<Path> paths) {
    public boolean isEmpty() {
      return paths.isEmpty();
    }
  }

  static final double W = 640;
  static final double H = 260;

  /** The objective of each trial in order, and the best so far ({@code maximize} or not). */
  public static Line objective(List<Trial> trials, boolean maximize) {
    double left = 56;
    double right = W - 16;
    double top = 16;
    double bottom = H - 32;
    List<double[]> values = new ArrayList<>();
    List<Trial> with = new ArrayList<>();
    for (int i = 0; i < trials.size(); i++) {
      if (trials.get(i).objective() != null && Double.isFinite(trials.get(i).objective())) {
        values.add(new double[] {i, trials.get(i).objective()});
        with.add(trials.get(i));
      }
    }
    if (values.isEmpty()) {
      return new Line(W, H, left, top, right, bottom, List.of(), "", List.of(), List.of());
    }
    double lo = values.stream().mapToDouble(v -> v[1]).min().orElse(0);
    double hi = values.stream().mapToDouble(v -> v[1]).max().orElse(1);
    double[] range = niceRange(lo, hi);
    int n = Math.max(1, trials.size() - 1);
    List<Dot> dots = new ArrayList<>();
    StringBuilder best = new StringBuilder();
    double bestValue = Double.NaN;
    for (int k = 0; k < values.size(); k++) {
      double[] v = values.get(k);
      double x = left + (trials.size() == 1 ? (right - left) / 2 : (right - left) * v[0] / n);
      double y = scale(v[1], range[0], range[1], bottom, top);
      dots.add(new Dot(x, y, with.get(k).name(), num(v[1])));
      double prev = bestValue;
      if (Double.isNaN(bestValue) || (maximize ? v[1] > bestValue : v[1] < bestValue)) {
        bestValue = v[1];
      }
      double by = scale(bestValue, range[0], range[1], bottom, top);
      if (best.length() > 0) {
        // a step: along at the old best, then up or down to the new one
        best.append(' ').append(pt(x, scale(prev, range[0], range[1], bottom, top)));
      }
      best.append(best.length() > 0 ? " " : "").append(pt(x, by));
    }
    List<Tick> yTicks = new ArrayList<>();
    for (double t : ticks(range[0], range[1], 5)) {
      yTicks.add(new Tick(num(t), scale(t, range[0], range[1], bottom, top)));
    }
    List<Tick> xTicks = new ArrayList<>();
    int step = Math.max(1, (int) Math.ceil(trials.size() / 10.0));
    for (int i = 0; i < trials.size(); i += step) {
      double x = left + (trials.size() == 1 ? (right - left) / 2 : (right - left) * i / n);
      xTicks.add(new Tick(Integer.toString(i + 1), x));
    }
    return new Line(
        W, H, left, top, right, bottom, List.copyOf(dots), best.toString(), yTicks, xTicks);
  }

  /**
   * One axis per parameter, then the objective; numeric parameters scale between their least and
   * greatest value, others spread their values evenly.
   */
  public static Parallel parallel(
      List<Trial> trials, List<String> parameters, String objectiveName, boolean maximize) {
    double top = 28;
    double bottom = H - 24;
    List<Trial> with =
        trials.stream()
            .filter(t -> t.objective() != null && Double.isFinite(t.objective()))
            .toList();
    List<String> names = new ArrayList<>(parameters);
    names.add(objectiveName);
    double left = 60;
    double right = W - 60;
    double gap = names.size() == 1 ? 0 : (right - left) / (names.size() - 1);
    List<Axis> axes = new ArrayList<>();
    List<java.util.function.Function<Trial, Double>> position = new ArrayList<>();
    for (int a = 0; a < names.size(); a++) {
      String name = names.get(a);
      double x = names.size() == 1 ? W / 2 : left + gap * a;
      boolean isObjective = a == names.size() - 1;
      List<String> raw = new ArrayList<>();
      for (Trial t : with) {
        raw.add(isObjective ? Double.toString(t.objective()) : t.parameters().get(name));
      }
      boolean numeric = raw.stream().allMatch(Charts::isNumber);
      List<Tick> ticks = new ArrayList<>();
      if (numeric && !raw.isEmpty()) {
        double lo = raw.stream().mapToDouble(Double::parseDouble).min().orElse(0);
        double hi = raw.stream().mapToDouble(Double::parseDouble).max().orElse(1);
        if (lo == hi) {
          lo -= 1;
          hi += 1;
        }
        double l = lo;
        double h = hi;
        ticks.add(new Tick(num(hi), top));
        ticks.add(new Tick(num((lo + hi) / 2), (top + bottom) / 2));
        ticks.add(new Tick(num(lo), bottom));
        position.add(
            t -> {
              String v = isObjective ? Double.toString(t.objective()) : t.parameters().get(name);
              return scale(Double.parseDouble(v), l, h, bottom, top);
            });
      } else {
        List<String> levels =
            new ArrayList<>(new TreeSet<>(raw.stream().map(String::valueOf).toList()));
        Map<String, Double> at = new LinkedHashMap<>();
        for (int i = 0; i < levels.size(); i++) {
          double y =
              levels.size() == 1 ? (top + bottom) / 2 : scale(i, 0, levels.size() - 1, bottom, top);
          at.put(levels.get(i), y);
          ticks.add(new Tick(levels.get(i), y));
        }
        position.add(t -> at.getOrDefault(String.valueOf(t.parameters().get(name)), bottom));
      }
      axes.add(new Axis(name, x, List.copyOf(ticks)));
    }
    double lo = with.stream().mapToDouble(Trial::objective).min().orElse(0);
    double hi = with.stream().mapToDouble(Trial::objective).max().orElse(1);
    List<Path> paths = new ArrayList<>();
    for (Trial t : with) {
      StringBuilder pts = new StringBuilder();
      for (int a = 0; a < axes.size(); a++) {
        pts.append(a == 0 ? "" : " ").append(pt(axes.get(a).x(), position.get(a).apply(t)));
      }
      double good = hi == lo ? 1 : (t.objective() - lo) / (hi - lo);
      paths.add(
          new Path(
              t.name(), pts.toString(), colour(maximize ? good : 1 - good), num(t.objective())));
    }
    return new Parallel(W, H, top, bottom, List.copyOf(axes), List.copyOf(paths));
  }

  /** From grey-orange (0, worst) to blue (1, best). */
  static String colour(double good) {
    double g = Math.max(0, Math.min(1, good));
    int hue = (int) Math.round(30 + g * 180);
    int light = (int) Math.round(60 - g * 18);
    return "hsl(" + hue + ",70%," + light + "%)";
  }

  static boolean isNumber(String s) {
    if (s == null) {
      return false;
    }
    try {
      return Double.isFinite(Double.parseDouble(s));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  static double scale(double v, double lo, double hi, double from, double to) {
    if (hi == lo) {
      return (from + to) / 2;
    }
    return from + (v - lo) / (hi - lo) * (to - from);
  }

  /** A range around [lo, hi] that ends on round numbers. */
  static double[] niceRange(double lo, double hi) {
    if (lo == hi) {
      double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
      return new double[] {lo - pad, hi + pad};
    }
    double step = niceStep((hi - lo) / 4);
    return new double[] {Math.floor(lo / step) * step, Math.ceil(hi / step) * step};
  }

  static double niceStep(double raw) {
    double exp = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / exp;
    double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
    return nice * exp;
  }

  static List<Double> ticks(double lo, double hi, int about) {
    double step = niceStep((hi - lo) / Math.max(1, about - 1));
    List<Double> out = new ArrayList<>();
    for (double t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
      out.add(Math.abs(t) < step * 1e-9 ? 0 : t);
    }
    return out;
  }

  static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    double a = Math.abs(v);
    if (a >= 1e5 || a < 1e-3) {
      return String.format(Locale.ROOT, "%.3g", v);
    }
    String s = String.format(Locale.ROOT, "%.4f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static String pt(double x, double y) {
    return DagLayout.fmt(x) + "," + DagLayout.fmt(y);
  }
}
