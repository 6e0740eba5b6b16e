package dev.keel.server.ui;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.store.ResourceRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads Katib Experiment and Trial documents into what the experiment pages show. */
public final class Katib {
  private Katib() {}

  /** What the experiment page shows. */
  public record Detail(
      String namespace,
      String name,
      String status,
      String message,
      String metric,
      boolean maximize,
      Double goal,
      String algorithm,
      List<String> parameters,
      List<Views.TrialRow> trials,
      Views.TrialRow best,
      Instant created) {}

  /** The type of the latest condition that holds (Created, Running, Succeeded, Failed, ...). */
  static String condition(JsonNode doc) {
    String type = "Created";
    for (JsonNode c : doc.at("/status/conditions")) {
      if (c.path("status").asText().equals("True")) {
        type = c.path("type").asText(type);
      }
    }
    return type;
  }

  private static String message(JsonNode doc) {
    String message = "";
    for (JsonNode c : doc.at("/status/conditions")) {
      if (c.path("status").asText().equals("True")) {
        message = c.path("message").asText("");
      }
    }
    return message;
  }

  static Detail detail(ResourceRecord experiment, List<ResourceRecord> owned) {
    JsonNode d = Json.parse(experiment.document());
    String metric = d.at("/spec/objective/objectiveMetricName").asText("objective");
    boolean maximize = d.at("/spec/objective/type").asText("maximize").equalsIgnoreCase("maximize");
    String strategy = maximize ? "max" : "min";
    for (JsonNode s : d.at("/spec/objective/metricStrategies")) {
      if (s.path("name").asText().equals(metric)) {
        strategy = s.path("value").asText(strategy);
      }
    }
    List<String> parameters = new ArrayList<>();
    for (JsonNode p : d.at("/spec/parameters")) {
      parameters.add(p.path("name").asText());
    }
    List<Views.TrialRow> trials = new ArrayList<>();
    for (ResourceRecord r : owned) {
      if (!r.kind().equals("Trial")) {
        continue;
      }
      JsonNode t = Json.parse(r.document());
      trials.add(
          new Views.TrialRow(
              r.name(),
              condition(t),
              assignments(t.at("/spec/parameterAssignments")),
              value(t.at("/status/observation/metrics"), metric, strategy),
              r.createdAt()));
    }
    JsonNode optimal = d.at("/status/currentOptimalTrial");
    Views.TrialRow best = null;
    if (!optimal.path("bestTrialName").asText("").isEmpty()) {
      best =
          new Views.TrialRow(
              optimal.path("bestTrialName").asText(),
              "Best",
              assignments(optimal.path("parameterAssignments")),
              value(optimal.at("/observation/metrics"), metric, strategy),
              null);
    }
    JsonNode goal = d.at("/spec/objective/goal");
    return new Detail(
        experiment.namespace(),
        experiment.name(),
        condition(d),
        message(d),
        metric,
        maximize,
        goal.isNumber() ? goal.asDouble() : null,
        d.at("/spec/algorithm/algorithmName").asText(""),
        List.copyOf(parameters),
        List.copyOf(trials),
        best,
        experiment.createdAt());
  }

  private static Map<String, String> assignments(JsonNode list) {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode a : list) {
      out.put(a.path("name").asText(), a.path("value").asText());
    }
    return out;
  }

  /**
   * The metric's value by the objective's strategy ({@code min}, {@code max} or {@code latest}).
   */
  private static Double value(JsonNode metrics, String metric, String strategy) {
    for (JsonNode m : metrics) {
      if (m.path("name").asText().equals(metric)) {
        String v = m.path(strategy).asText(m.path("latest").asText(""));
        try {
          double x = Double.parseDouble(v);
          return Double.isFinite(x) ? x : null;
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }
}
