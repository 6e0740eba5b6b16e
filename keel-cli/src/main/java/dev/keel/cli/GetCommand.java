package dev.keel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.Json;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.store.Store;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keel get experiments|trials|suggestions} and {@code keel get experiment NAME [-o
 * json|yaml]}: the stored resources, as {@code kubectl get} shows them; with {@code --server},
 * through that server's API.
 */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = "List experiments, trials or suggestions, or print one resource (-o json|yaml).")
final class GetCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "KIND",
      description = "experiments, trials or suggestions (or one of them by NAME)")
  String kind;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
  String name;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "The namespace (default: all).")
  String namespace;

  @Option(names = "-o", paramLabel = "FORMAT", description = "json or yaml: the whole resource.")
  String output;

  @Option(
      names = "--experiment",
      paramLabel = "NAME",
      description = "Only this experiment's trials.")
  String experiment;

  @Mixin StoreOptions storeOptions;

  @Mixin ServerOptions serverOptions;

  static String kindOf(String given) {
    return switch (given.toLowerCase(Locale.ROOT)) {
      case "experiment", "experiments" -> "Experiment";
      case "trial", "trials" -> "Trial";
      case "suggestion", "suggestions" -> "Suggestion";
      default ->
          throw new ValidationException(
              new Problem("KIND", "'" + given + "' is not experiments, trials or suggestions"));
    };
  }

  @Override
  public Integer call() throws Exception {
    String k = kindOf(kind);
    KatibClient client = serverOptions.client();
    if (client != null) {
      return print(k, KatibResources.remote(client));
    }
    try (Store store = storeOptions.open()) {
      return print(k, KatibResources.local(store));
    }
  }

  private int print(String k, KatibResources resources) throws Exception {
    if (name != null) {
      JsonNode doc = resources.find(k, name, namespace);
      if ("yaml".equals(output)) {
        System.out.print(Json.yaml().writeValueAsString(doc));
      } else {
        System.out.println(Json.writePretty(doc));
      }
      return 0;
    }
    List<JsonNode> all = resources.list(k, namespace, k.equals("Trial") ? experiment : null);
    if ("json".equals(output)) {
      var list = Json.json().createObjectNode().put("apiVersion", "v1").put("kind", "List");
      var items = list.putArray("items");
      all.forEach(items::add);
      System.out.println(Json.writePretty(list));
      return 0;
    }
    if (k.equals("Experiment")) {
      System.out.printf(
          "%-16s %-28s %-10s %-32s %6s  %s%n",
          "NAMESPACE", "NAME", "STATUS", "REASON", "TRIALS", "BEST");
      for (JsonNode d : all) {
        JsonNode s = d.path("status");
        JsonNode c = s.path("conditions").get(s.path("conditions").size() - 1);
        JsonNode best = s.path("currentOptimalTrial").path("observation").path("metrics").path(0);
        System.out.printf(
            "%-16s %-28s %-10s %-32s %6d  %s%n",
            d.at("/metadata/namespace").asText(),
            d.at("/metadata/name").asText(),
            c == null ? "" : c.path("type").asText(),
            c == null ? "" : c.path("reason").asText(),
            s.path("trials").asInt(),
            best.isMissingNode()
                ? ""
                : best.path("name").asText() + "=" + best.path("latest").asText());
      }
    } else if (k.equals("Suggestion")) {
      System.out.printf(
          "%-16s %-28s %-22s %11s%n", "NAMESPACE", "NAME", "ALGORITHM", "SUGGESTIONS");
      for (JsonNode d : all) {
        System.out.printf(
            "%-16s %-28s %-22s %11d%n",
            d.at("/metadata/namespace").asText(),
            d.at("/metadata/name").asText(),
            d.at("/spec/algorithm/algorithmName").asText(),
            d.at("/status/suggestionCount").asInt());
      }
    } else {
      System.out.printf(
          "%-16s %-36s %-20s %-40s %s%n", "NAMESPACE", "NAME", "STATUS", "ASSIGNMENTS", "METRICS");
      for (JsonNode d : all) {
        JsonNode conds = d.path("status").path("conditions");
        JsonNode c = conds.get(conds.size() - 1);
        String a = KatibResources.pairs(d.at("/spec/parameterAssignments"), "value");
        String m = KatibResources.pairs(d.at("/status/observation/metrics"), "latest");
        System.out.printf(
            "%-16s %-36s %-20s %-40s %s%n",
            d.at("/metadata/namespace").asText(),
            d.at("/metadata/name").asText(),
            c == null ? "" : c.path("type").asText(),
            a,
            m);
      }
    }
    return 0;
  }
}
