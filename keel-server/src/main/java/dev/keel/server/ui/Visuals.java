package dev.keel.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.store.ArtifactRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What an artifact shows, read from its metadata as KFP's UI reads it: the scalars of a {@code
 * system.Metrics}, the confusion matrix and ROC curve of a {@code system.ClassificationMetrics},
 * and, for {@code system.HTML} and {@code system.Markdown}, a sandboxed frame of its file. Chart
 * geometry is computed here so templates only place SVG elements.
 */
public final class Visuals {
  private Visuals() {}

  public static final String METRICS = "system.Metrics";
  public static final String CLASSIFICATION = "system.ClassificationMetrics";
  public static final String HTML = "system.HTML";
  public static final String MARKDOWN = "system.Markdown";

  /** Most cells and points drawn, so a huge artifact cannot make a huge page. */
  static final int MAX_CLASSES = 60;

  static final int MAX_POINTS = 2000;

  /** Most points of a curve drawn as dots (the line has them all). */
  static final int MAX_DOTS = 120;

  /** A metric: its name and value, as text for the table and as a number for comparing. */
  public record Scalar(String name, String value, Double number) {}

  /** A cell of the confusion matrix: its count and background (darker for more). */
  public record Cell(String value, String background, boolean dark) {}

  /** The confusion matrix: the class labels, and for each actual class a row of predictions. */
  public record Confusion(List<String> labels, List<List<Cell>> rows) {
    public Cell cell(int actual, int predicted) {
      return rows.get(actual).get(predicted);
    }
  }

  /** A point of an ROC curve, placed on the chart, with the threshold it came from. */
  public record Point(double x, double y, double fpr, double tpr, String threshold) {}

  /** One ROC curve on a chart: its name, colour, polyline and points. */
  public record Curve(String name, String colour, String points, List<Point> dots) {}

  /** An ROC chart of one or more curves, with the chance diagonal. */
  public record Roc(
      double width,
      double height,
      double left,
      double top,
      double size,
      List<Charts.Tick> ticks,
      List<Curve> curves) {
    public boolean isEmpty() {
      return curves.isEmpty();
    }

    public double right() {
      return left + size;
    }

    public double bottom() {
      return top + size;
    }
  }

  /**
   * What one artifact shows. {@code kind} is {@code metrics}, {@code classification}, {@code html},
   * {@code markdown} or {@code other}; {@code metadata} is what the visualisation does not show.
   */
  public record Visual(
      String kind,
      List<Scalar> scalars,
      Confusion confusion,
      Roc roc,
      List<Views.Entry> metadata,
      String problem) {
    public boolean framed() {
      return kind.equals("html") || kind.equals("markdown");
    }
  }

  /** The visualisation of an artifact from its type and metadata (no file is read). */
  public static Visual of(ArtifactRecord a) {
    JsonNode md = metadata(a);
    String title = a.schemaTitle() == null ? "" : a.schemaTitle();
    switch (title) {
      case METRICS -> {
        List<Scalar> scalars = new ArrayList<>();
        List<Views.Entry> rest = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = md.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (e.getValue().isNumber()) {
            double v = e.getValue().doubleValue();
            scalars.add(new Scalar(e.getKey(), Charts.num(v), v));
          } else {
            rest.add(new Views.Entry(e.getKey(), text(e.getValue())));
          }
        }
        return new Visual("metrics", scalars, null, null, rest, null);
      }
      case CLASSIFICATION -> {
        List<Views.Entry> rest = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = md.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!e.getKey().equals("confusionMatrix") && !e.getKey().equals("confidenceMetrics")) {
            rest.add(new Views.Entry(e.getKey(), text(e.getValue())));
          }
        }
        Confusion c = confusion(md.path("confusionMatrix"));
        Roc roc = roc(List.of(new Series("ROC", md.path("confidenceMetrics"))));
        String problem =
            c == null && roc.isEmpty()
                ? "This artifact has neither a confusion matrix nor ROC data in its metadata."
                : null;
        return new Visual(
            "classification", List.of(), c, roc.isEmpty() ? null : roc, rest, problem);
      }
      case HTML, MARKDOWN -> {
        return new Visual(
            title.equals(HTML) ? "html" : "markdown", List.of(), null, null, entries(md), null);
      }
      default -> {
        return new Visual("other", List.of(), null, null, entries(md), null);
      }
    }
  }

  /** The numeric scalars of a {@code system.Metrics} artifact. */
  public static List<Scalar> scalars(ArtifactRecord a) {
    return METRICS.equals(a.schemaTitle()) ? of(a).scalars() : List.of();
  }

  static JsonNode metadata(ArtifactRecord a) {
    if (a.metadata() == null || a.metadata().isBlank()) {
      return Json.json().createObjectNode();
    }
    try {
      JsonNode n = Json.parse(a.metadata());
      return n.isObject() ? n : Json.json().createObjectNode();
    } catch (RuntimeException e) {
      return Json.json().createObjectNode();
    }
  }

  static List<Views.Entry> entries(JsonNode md) {
    List<Views.Entry> out = new ArrayList<>();
    md.fields().forEachRemaining(e -> out.add(new Views.Entry(e.getKey(), text(e.getValue()))));
    return out;
  }

  private static String text(JsonNode v) {
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isNumber()) {
      return Charts.num(v.doubleValue());
    }
    String s = Json.write(v);
    return s.length() > 2000 ? s.substring(0, 2000) + "…" : s;
  }

  /**
   * KFP's {@code confusionMatrix}: {@code {annotationSpecs: [{displayName}], rows: [{row:
   * [...]}]}}; null when there is none.
   */
  static Confusion confusion(JsonNode cm) {
    JsonNode specs = cm.path("annotationSpecs");
    JsonNode rows = cm.path("rows");
    if (!specs.isArray() || specs.isEmpty() || !rows.isArray()) {
      return null;
    }
    int n = Math.min(MAX_CLASSES, specs.size());
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      JsonNode s = specs.get(i);
      labels.add(s.isTextual() ? s.asText() : s.path("displayName").asText("class " + i));
    }
    double max = 0;
    double[][] v = new double[n][n];
    for (int i = 0; i < n; i++) {
      JsonNode row = rows.path(i).path("row");
      for (int j = 0; j < n; j++) {
        double x = row.path(j).asDouble(0);
        v[i][j] = Double.isFinite(x) ? x : 0;
        max = Math.max(max, v[i][j]);
      }
    }
    List<List<Cell>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Cell> row = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        double f = max <= 0 ? 0 : v[i][j] / max;
        int light = (int) Math.round(97 - f * 62);
        row.add(new Cell(Charts.num(v[i][j]), "hsl(220,65%," + light + "%)", f > 0.55));
      }
      out.add(List.copyOf(row));
    }
    return new Confusion(List.copyOf(labels), List.copyOf(out));
  }

  /** A named ROC curve's data: KFP's {@code confidenceMetrics} list. */
  public record Series(String name, JsonNode confidenceMetrics) {}

  static final String[] PALETTE = {
    "#2456c7", "#d2691e", "#1f7a3f", "#b3261e", "#7b3fb5", "#00838f", "#8d6e00", "#c2185b"
  };

  /** The ROC chart of one or more curves; series without points are left out. */
  public static Roc roc(List<Series> series) {
    double left = 48;
    double top = 14;
    double size = 240;
    double width = left + size + 16;
    double height = top + size + 44;
    List<Charts.Tick> ticks = new ArrayList<>();
    for (int i = 0; i <= 4; i++) {
      double f = i / 4.0;
      ticks.add(new Charts.Tick(Charts.num(f), f * size));
    }
    List<Curve> curves = new ArrayList<>();
    for (Series s : series) {
      List<double[]> pts = new ArrayList<>();
      List<String> thresholds = new ArrayList<>();
      JsonNode cms = s.confidenceMetrics();
      if (cms == null || !cms.isArray()) {
        continue;
      }
      for (JsonNode p : cms) {
        JsonNode fpr = p.path("falsePositiveRate");
        JsonNode tpr = p.has("recall") ? p.path("recall") : p.path("truePositiveRate");
        if (!fpr.isNumber() || !tpr.isNumber()) {
          continue;
        }
        double x = clamp(fpr.doubleValue());
        double y = clamp(tpr.doubleValue());
        JsonNode th = p.path("confidenceThreshold");
        pts.add(new double[] {x, y, pts.size()});
        thresholds.add(th.isNumber() ? Charts.num(th.doubleValue()) : "");
        if (pts.size() >= MAX_POINTS) {
          break;
        }
      }
      if (pts.isEmpty()) {
        continue;
      }
      pts.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
      StringBuilder line = new StringBuilder();
      List<Point> dots = new ArrayList<>();
      for (double[] p : pts) {
        double x = left + p[0] * size;
        double y = top + size - p[1] * size;
        line.append(line.length() == 0 ? "" : " ")
            .append(DagLayout.fmt(x))
            .append(',')
            .append(DagLayout.fmt(y));
        dots.add(new Point(x, y, p[0], p[1], thresholds.get((int) p[2])));
      }
      if (dots.size() > MAX_DOTS) {
        List<Point> fewer = new ArrayList<>();
        double step = (dots.size() - 1) / (double) (MAX_DOTS - 1);
        for (int i = 0; i < MAX_DOTS; i++) {
          fewer.add(dots.get((int) Math.round(i * step)));
        }
        dots = fewer;
      }
      curves.add(
          new Curve(
              s.name(),
              PALETTE[curves.size() % PALETTE.length],
              line.toString(),
              List.copyOf(dots)));
    }
    return new Roc(width, height, left, top, size, List.copyOf(ticks), List.copyOf(curves));
  }

  private static double clamp(double v) {
    return Double.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0;
  }
}
