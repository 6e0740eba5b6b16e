package dev.keel.katib;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Katib's StdOut metrics collector: reads a trial's output as {@code parseLogsInTextFormat} does. A
 * line counts only if it holds one of the metric names; its first word, if an RFC 3339 time, is the
 * timestamp; every filter match whose trimmed first group is exactly a requested name gives a value
 * (so one line may give several).
 */
public final class Metrics {
  private Metrics() {}

  /** One reported value. */
  public record Point(String name, String value, Instant timestamp, int step) {}

  /**
   * A metric summarised as Katib's trial status shows it: min and max over the numeric values
   * ({@code unavailable} when none), and the latest value.
   */
  public record Summary(String name, String min, String max, String latest) {}

  public static final String UNAVAILABLE = "unavailable";

  /** The values of {@code names} in {@code lines}, in order. */
  public static List<Point> parse(List<String> lines, List<String> names, List<Pattern> filters) {
    List<Point> out = new ArrayList<>();
    Map<String, Integer> steps = new LinkedHashMap<>();
    for (String line : lines) {
      if (names.stream().noneMatch(line::contains)) {
        continue;
      }
      Instant ts = Instant.EPOCH;
      int space = line.indexOf(' ');
      if (space > 0) {
        try {
          ts = Instant.parse(line.substring(0, space));
        } catch (DateTimeParseException e) {
          // no timestamp on this line
        }
      }
      for (Pattern f : filters) {
        Matcher m = f.matcher(line);
        while (m.find()) {
          String name = m.group(1).trim();
          if (names.contains(name) && m.group(2) != null && !m.group(2).isEmpty()) {
            int step = steps.merge(name, 1, Integer::sum);
            out.add(new Point(name, m.group(2).trim(), ts, step));
          }
        }
      }
    }
    return out;
  }

  /** Min, max and latest of one metric's points (latest: greatest timestamp, later on ties). */
  public static Summary summarise(String name, List<Point> points) {
    Double min = null;
    Double max = null;
    Point latest = null;
    for (Point p : points) {
      if (!p.name().equals(name)) {
        continue;
      }
      try {
        double v = Double.parseDouble(p.value());
        min = min == null ? v : Math.min(min, v);
        max = max == null ? v : Math.max(max, v);
      } catch (NumberFormatException e) {
        // non-numeric values have no min or max
      }
      if (latest == null || !p.timestamp().isBefore(latest.timestamp())) {
        latest = p;
      }
    }
    if (latest == null) {
      return new Summary(name, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE);
    }
    return new Summary(
        name,
        min == null ? UNAVAILABLE : Search.pyFloat(min),
        max == null ? UNAVAILABLE : Search.pyFloat(max),
        latest.value());
  }

  /** The value a strategy picks; falls back to latest when min or max is unavailable. */
  public static String pick(Summary s, String strategy) {
    String v =
        switch (strategy) {
          case "min" -> s.min();
          case "max" -> s.max();
          default -> s.latest();
        };
    return v.equals(UNAVAILABLE) ? s.latest() : v;
  }
}
