package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.store.ResourceRecord;
import dev.keel.store.Store;
import java.util.List;
import java.util.Locale;

/**
 * Experiments and trials as {@code keel get} and {@code keel describe} read them: from the data
 * folder's store, or through a server's API ({@code --server}), with the same answers.
 */
interface KatibResources {
  /** The label Katib puts on a trial, naming its experiment. */
  String EXPERIMENT_LABEL = "katib.kubeflow.org/experiment";

  /**
   * A kind's documents, oldest first, in {@code namespace} ({@code null}: all), trials only of
   * {@code experiment} when given.
   */
  List<JsonNode> list(String kind, String namespace, String experiment);

  /** The trials an experiment owns, oldest first. */
  List<JsonNode> trialsOf(JsonNode experiment);

  /** One resource by name; refused by name when there is none or it is in several namespaces. */
  default JsonNode find(String kind, String name, String namespace) {
    List<JsonNode> matches =
        list(kind, namespace, null).stream()
            .filter(d -> d.at("/metadata/name").asText().equals(name))
            .toList();
    if (matches.isEmpty()) {
      throw new ValidationException(
          new Problem(
              "NAME",
              "no "
                  + kind
                  + " '"
                  + name
                  + "'"
                  + (namespace == null ? "" : " in namespace " + namespace)));
    }
    if (matches.size() > 1) {
      throw new ValidationException(
          new Problem("NAME", kind + " '" + name + "' is in several namespaces; give -n"));
    }
    return matches.get(0);
  }

  static KatibResources local(Store store) {
    return new KatibResources() {
      @Override
      public List<JsonNode> list(String kind, String namespace, String experiment) {
        return store.resources().list(kind, namespace).stream()
            .map(ResourceRecord::document)
            .map(Json::parse)
            .filter(d -> experiment == null || experiment.equals(label(d)))
            .toList();
      }

      @Override
      public List<JsonNode> trialsOf(JsonNode experiment) {
        return store.resources().owned(experiment.at("/metadata/uid").asText()).stream()
            .filter(r -> r.kind().equals("Trial"))
            .map(ResourceRecord::document)
            .map(Json::parse)
            .toList();
      }
    };
  }

  static KatibResources remote(KatibClient client) {
    return new KatibResources() {
      @Override
      public List<JsonNode> list(String kind, String namespace, String experiment) {
        return client.list(
            namespace,
            kind.toLowerCase(Locale.ROOT) + "s",
            experiment == null ? null : EXPERIMENT_LABEL + "=" + experiment);
      }

      @Override
      public JsonNode find(String kind, String name, String namespace) {
        if (namespace == null) {
          return KatibResources.super.find(kind, name, null);
        }
        return client
            .get(namespace, kind.toLowerCase(Locale.ROOT) + "s", name)
            .orElseThrow(
                () ->
                    new ValidationException(
                        new Problem(
                            "NAME", "no " + kind + " '" + name + "' in namespace " + namespace)));
      }

      @Override
      public List<JsonNode> trialsOf(JsonNode experiment) {
        String uid = experiment.at("/metadata/uid").asText();
        return client
            .list(
                experiment.at("/metadata/namespace").asText(),
                "trials",
                EXPERIMENT_LABEL + "=" + experiment.at("/metadata/name").asText())
            .stream()
            .filter(t -> t.at("/metadata/ownerReferences/0/uid").asText().equals(uid))
            .toList();
      }
    };
  }

  private static String label(JsonNode doc) {
    return doc.path("metadata").path("labels").path(EXPERIMENT_LABEL).asText();
  }

  /**
   * A list of {@code {name, ...}} objects as {@code name=value name=value}, value from {@code
   * field}.
   */
  static String pairs(JsonNode list, String field) {
    StringBuilder b = new StringBuilder();
    list.forEach(
        x ->
            b.append(x.path("name").asText())
                .append('=')
                .append(x.path(field).asText())
                .append(' '));
    return b.toString().strip();
  }
}
