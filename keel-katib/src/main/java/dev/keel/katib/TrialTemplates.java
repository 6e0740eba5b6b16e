package dev.keel.katib;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Json;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Katib's {@code ${trialParameters.x}} substitution (katib.md §2.5): the trial spec as JSON text,
 * each placeholder replaced by its value with a plain string replace (not escaped, not quoted),
 * then read back. A reference {@code ${trialSpec.Name}} (or Namespace, Kind, APIVersion, {@code
 * Labels[key]}, {@code Annotations[key]}) takes the value from the trial's own metadata.
 */
public final class TrialTemplates {
  private static final Pattern META = Pattern.compile("\\$\\{trialSpec\\.(.+?)\\}");
  private static final Pattern INDEXED = Pattern.compile("(.+)\\[(.+)]");

  private TrialTemplates() {}

  /** The trial's workload: the template with every placeholder replaced. */
  public static ObjectNode render(
      Experiment.TrialTemplate t,
      Map<String, String> assignments,
      String trialName,
      String namespace) {
    String text = Json.write(t.trialSpec());
    for (Map.Entry<String, String> p : t.trialParameters().entrySet()) {
      String ref = p.getValue();
      Matcher meta = META.matcher(ref);
      String value;
      if (meta.matches()) {
        value = metadata(t.trialSpec(), meta.group(1), trialName, namespace);
      } else {
        value = assignments.get(ref);
        if (value == null) {
          throw new IllegalArgumentException("no value for parameter '" + ref + "'");
        }
      }
      text = text.replace("${trialParameters." + p.getKey() + "}", value);
    }
    ObjectNode out = (ObjectNode) Json.parse(text);
    ObjectNode meta = out.with("metadata");
    meta.put("name", trialName);
    meta.put("namespace", namespace);
    return out;
  }

  private static String metadata(JsonNode spec, String key, String trialName, String namespace) {
    switch (key) {
      case "Name":
        return trialName;
      case "Namespace":
        return namespace;
      case "Kind":
        return spec.path("kind").asText();
      case "APIVersion":
        return spec.path("apiVersion").asText();
      default:
        Matcher m = INDEXED.matcher(key);
        if (m.matches() && (m.group(1).equals("Labels") || m.group(1).equals("Annotations"))) {
          String field = m.group(1).equals("Labels") ? "labels" : "annotations";
          JsonNode v = spec.path("metadata").path(field).get(m.group(2));
          if (v != null) {
            return v.asText();
          }
        }
        throw new IllegalArgumentException(
            "unknown trial metadata reference ${trialSpec." + key + "}");
    }
  }
}
